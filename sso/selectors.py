"""Reads of identity: a user's two-factor state and policy, signed-in sessions, the user a
password reset link stands for, and sign-in and security events from the audit log (the
security log pages)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.choices import AuditAction
from audit.models import AuditEntry
from core.ids import parse_uuid
from sso.choices import UserKind
from sso.errors import ResetLinkInvalid
from sso.models import User, UserSession

REQUIRED, OPTIONAL, OFF = "required", "optional", "off"

# --- Two-factor sign-in ------------------------------------------------------------------------


def policy_for(user: Any) -> str:
    """``required``, ``optional`` or ``off`` for ``user``: staff and operators per the platform
    setting, buyers per their company (``Company.two_factor_policy``)."""
    if user.kind in (UserKind.STAFF, UserKind.OPERATOR):
        return REQUIRED if settings.PORTICO_TOTP_REQUIRED_FOR_STAFF else OPTIONAL
    membership = getattr(user, "membership", None)
    company = getattr(membership, "company", None)
    return str(getattr(company, "two_factor_policy", OPTIONAL))


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()


def backup_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user_id=user.pk).count()


# --- Signed-in sessions ------------------------------------------------------------------------


def _cutoff() -> Any:
    return timezone.now() - timedelta(seconds=settings.SESSION_COOKIE_AGE)


def user_sessions(*, user: Any) -> QuerySet[UserSession]:
    """``user``'s sessions that can still be in use, most recently seen first."""
    return UserSession.objects.filter(user_id=user.pk, last_seen_at__gt=_cutoff()).order_by(
        "-last_seen_at"
    )


def member_sessions(*, actor: Any, user: User) -> QuerySet[UserSession]:
    """``user``'s live sessions, for an administrator (``require_session_manager``)."""
    from sso.policies import require_session_manager

    require_session_manager(actor, user)
    return user_sessions(user=user)


# --- Password reset ----------------------------------------------------------------------------


def reset_link_user(public_id: Any, token: str) -> User:
    """The user a reset link stands for, or ``ResetLinkInvalid``."""
    parsed = parse_uuid(public_id)
    user = User.objects.filter(public_id=parsed, is_active=True).first() if parsed else None
    if user is None or not default_token_generator.check_token(user, token):
        raise ResetLinkInvalid()
    return user


# --- The security log --------------------------------------------------------------------------

SECURITY_ACTIONS = [(a.value, a.label) for a in AuditAction if a.value.startswith("auth.")]


@dataclass(frozen=True)
class LogFilter:
    """What the page's filter form asks for; empty values filter nothing."""

    action: str = ""
    email: str = ""
    ip: str = ""
    since: date | None = None
    until: date | None = None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def security_log(
    *,
    filters: LogFilter,
    subjects: Iterable[str] | None = None,
    connections: Iterable[str] = (),
) -> QuerySet[AuditEntry]:
    """Security events of this portal, newest first. ``subjects`` (user public ids) limits them
    to events about those users (a company admin's own members), plus events about the SAML
    ``connections`` given (public ids: the company's own; a refused SSO sign-in names the
    connection, not a user)."""
    qs = AuditEntry.objects.filter(action__startswith="auth.")
    if subjects is not None:
        about = Q(object_type="sso.user", object_id__in=list(subjects))
        saml = list(connections)
        if saml:
            about |= Q(object_type="saml.samlconnection", object_id__in=saml)
        qs = qs.filter(about)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.email:
        qs = qs.filter(actor_label__icontains=filters.email.strip())
    if filters.ip:
        qs = qs.filter(ip=filters.ip.strip())
    if filters.since:
        qs = qs.filter(created_at__gte=_start_of(filters.since))
    if filters.until:
        qs = qs.filter(created_at__lt=_start_of(filters.until + timedelta(days=1)))
    return qs.order_by("-id")
