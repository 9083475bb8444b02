"""The steps of a sign-in: first factor (password, sign-up ticket, later SAML) → second factor
or guided enrolment → a signed-in session.

Until every step is done the session holds only a *pending* marker (user id, step, method,
time) and no authenticated user at all: ``request.user`` is anonymous for every page and for
the API, whatever the marker says. The session id is rotated when the first factor succeeds
and again when the sign-in completes (Django's ``login``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, login
from django.db import transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django_otp import DEVICE_ID_SESSION_KEY

from audit.choices import AuditAction
from audit.services import audit_record
from sso import selectors
from sso.errors import TwoFactorError
from sso.models import User
from sso.services import twofactor
from sso.services.sessions import user_session_start

PENDING_KEY = "_sso_pending"
DONE, OTP, ENROL = "done", "otp", "enrol"


@dataclass(frozen=True)
class Pending:
    """A sign-in waiting for its second step."""

    user: User
    step: str
    method: str
    next_url: str
    details: dict[str, str]


def next_step(user: Any) -> str:
    """``otp`` when the user has an authenticator, ``enrol`` when their policy requires one
    and they have none, else ``done``."""
    if selectors.confirmed_device(user) is not None:
        return OTP
    if selectors.policy_for(user) == selectors.REQUIRED:
        return ENROL
    return DONE


def login_begin(
    *,
    request: HttpRequest,
    user: User,
    method: str,
    next_url: str = "",
    details: dict[str, str] | None = None,
) -> str:
    """The first factor of ``user`` succeeded (``method``: password, signup_handoff, saml).
    Either completes the sign-in or leaves a pending marker for the second step; returns the
    step (``done``, ``otp``, ``enrol``). Audited either way, with ``details`` beside the method
    (kept in the marker for the entry of the completed sign-in too)."""
    step = next_step(user)
    if step == DONE:
        login_complete(request=request, user=user, method=method, details=details)
        return DONE
    if SESSION_KEY in request.session:
        request.session.flush()  # someone else's (or an earlier) signed-in session: gone
    else:
        request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "step": step,
        "method": method,
        "since": int(time.time()),
        "next": next_url,
        # a password change (a reset) after the first factor voids this half-done sign-in
        "auth_hash": user.get_session_auth_hash(),
        "details": dict(details or {}),
    }
    with transaction.atomic():
        audit_record(
            action=AuditAction.LOGIN_PASSWORD_OK,
            actor=user,
            obj=user,
            details={"method": method, "next_step": step, **(details or {})},
        )
    return step


def pending(request: HttpRequest, *, step: str | None = None) -> Pending | None:
    """The request's pending sign-in (of ``step`` if given), or None when there is none, it
    is older than ``PORTICO_LOGIN_PENDING_SECONDS``, its user can no longer sign in, or their
    password changed since the first factor (a reset ends half-done sign-ins too)."""
    marker = request.session.get(PENDING_KEY)
    if not isinstance(marker, dict):
        return None
    if time.time() - int(marker.get("since", 0)) > settings.PORTICO_LOGIN_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    if step is not None and marker.get("step") != step:
        return None
    user = User.objects.filter(pk=int(marker.get("user") or 0), is_active=True).first()
    if user is None or not constant_time_compare(
        str(marker.get("auth_hash", "")), user.get_session_auth_hash()
    ):
        request.session.pop(PENDING_KEY, None)
        return None
    return Pending(
        user,
        str(marker["step"]),
        str(marker["method"]),
        str(marker.get("next", "")),
        {str(k): str(v) for k, v in (marker.get("details") or {}).items()},
    )


def login_complete(
    *,
    request: HttpRequest,
    user: User,
    method: str,
    device: Any = None,
    details: dict[str, str] | None = None,
) -> None:
    """Sign ``user`` in: a new session id, the session recorded, the sign-in audited (with
    ``details`` beside the method). Reached through ``login_begin`` (no second step due) or
    after the second step; a SAML sign-in too (decision 0009)."""
    request.session.pop(PENDING_KEY, None)
    with transaction.atomic():
        login(request, user, backend="sso.backends.PorticoBackend")  # rotates the session key
        if device is not None:
            request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        user_session_start(request=request, user=user, method=method)
        audit_record(
            action=AuditAction.LOGIN,
            actor=user,
            obj=user,
            details={"method": method, **(details or {})},
        )


def login_second_factor(*, request: HttpRequest, code: str) -> User:
    """Check the pending sign-in's code (TOTP or backup code) and complete it. A refusal is
    audited with its reason category and raised (``TwoFactorError`` / ``RateLimited``)."""
    from sso import ratelimit

    waiting = pending(request, step=OTP)
    if waiting is None:
        raise TwoFactorError(
            "no_pending_sign_in", "Your sign-in has expired. Enter your e-mail and password again."
        )
    user = waiting.user
    try:
        result = twofactor.second_factor_check(user=user, code=code)
    except ratelimit.RateLimited:
        _audit_failure(user, "otp", "rate_limited")
        raise
    if result.error is not None:
        _audit_failure(user, result.method, result.reason)
        raise result.error
    login_complete(
        request=request,
        user=user,
        method=result.method,
        device=result.device,
        details=waiting.details,
    )
    return user


def _audit_failure(user: User, method: str, reason: str) -> None:
    with transaction.atomic():
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            actor_label=user.email,
            obj=user,
            details={"method": method, "reason": reason},
        )
