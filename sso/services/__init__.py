"""Writes of identity: accounts and signing in and out (``accounts``), the steps of a sign-in
(``login``), two-factor sign-in (``twofactor``), signed-in sessions (``sessions``) and password
reset (``password_reset``). Reads are in ``sso.selectors``, access by id in ``sso.access``."""

from sso.services.accounts import (
    handoff_create,
    handoff_redeem,
    session_login,
    session_logout,
    user_create,
)
from sso.services.login import (
    Pending,
    login_begin,
    login_complete,
    login_second_factor,
    next_step,
    pending,
)
from sso.services.password_reset import password_reset_complete, password_reset_request
from sso.services.sessions import (
    current_key_hash,
    forget_current,
    member_sessions_end,
    touch,
    user_session_end,
    user_session_start,
    user_sessions_end_all,
    user_sessions_end_others,
)
from sso.services.twofactor import (
    Enrolment,
    SecondFactor,
    backup_codes_regenerate,
    second_factor_check,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_remove,
    totp_reset,
)

__all__ = [
    "Enrolment",
    "Pending",
    "SecondFactor",
    "backup_codes_regenerate",
    "current_key_hash",
    "forget_current",
    "handoff_create",
    "handoff_redeem",
    "login_begin",
    "login_complete",
    "login_second_factor",
    "member_sessions_end",
    "next_step",
    "password_reset_complete",
    "password_reset_request",
    "pending",
    "second_factor_check",
    "session_login",
    "session_logout",
    "totp_enrolment_confirm",
    "totp_enrolment_start",
    "totp_remove",
    "totp_reset",
    "touch",
    "user_create",
    "user_session_end",
    "user_session_start",
    "user_sessions_end_all",
    "user_sessions_end_others",
]
