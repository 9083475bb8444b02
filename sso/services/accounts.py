"""Identity writes: creating users, signing in and out (each audited)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth import authenticate, logout
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.choices import AuditAction
from audit.services import audit_record
from core import context
from core.errors import DomainError
from sso import ratelimit
from sso.choices import StaffRole, UserKind
from sso.errors import InvalidCredentials
from sso.models import LoginHandoff, User
from sso.services.login import login_begin
from sso.services.sessions import forget_current


def user_create(
    *,
    actor: Any,
    email: str,
    full_name: str,
    password: str | None,
    kind: str,
    staff_role: str = "",
) -> User:
    """Create a user in the current schema. The caller's policy has been checked already by the
    service that calls this (sign-up, invitation acceptance); the creation is audited."""
    email = email.strip().lower()
    if kind == UserKind.STAFF and staff_role not in StaffRole.values:
        raise DomainError("invalid_role", "Choose one of the staff roles.", field="staff_role")
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            raise DomainError(
                "email_taken", f"There is already an account for {email} here.", field="email"
            )
        user = User(email=email, full_name=full_name.strip(), kind=kind, staff_role=staff_role)
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise DomainError(
                    "weak_password", " ".join(exc.messages), field="password"
                ) from exc
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        audit_record(
            action=AuditAction.USER_CREATED,
            actor=actor,
            obj=user,
            details={"kind": kind, "staff_role": staff_role},
        )
    return user


def session_login(*, request: HttpRequest, email: str, password: str, next_url: str = "") -> str:
    """Check the password and begin the sign-in (``sso.services.login``): returns the next step,
    ``done`` (signed in, new session id), ``otp`` or ``enrol``. Success and failure are audited;
    a failure raises ``InvalidCredentials`` without saying which half was wrong, and attempts
    beyond the account's or IP's limit raise ``RateLimited`` before the password is checked
    (each attempt is counted before its check and given back when the password is right)."""
    email = email.strip().lower()
    limits = ratelimit.buckets("login", account=email, ip=context.current().ip)
    try:
        ratelimit.reserve(limits, "sign-in attempts")
    except ratelimit.RateLimited:
        _audit_login_failed(email, "password", "rate_limited")
        raise
    _refuse_if_saml_only(email)
    user = authenticate(request, username=email, password=password)
    if user is None:
        _audit_login_failed(email, "password", "bad_credentials")
        raise InvalidCredentials()
    ratelimit.release(limits)
    return login_begin(request=request, user=user, method="password", next_url=next_url)


def _audit_login_failed(email: str, method: str, reason: str) -> None:
    known = User.objects.filter(email=email).values_list("public_id", flat=True).first()
    with transaction.atomic():
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            actor_label=email[:254],
            object_type="sso.user",
            object_id=str(known or ""),
            details={"method": method, "reason": reason},
        )


def _refuse_if_saml_only(email: str) -> None:
    """Password sign-in is refused (and audited) when the e-mail's domain, or the company of
    the account the e-mail names, signs in through a "SAML only" connection (``sso.saml``).
    Decided before the password is checked: the answer is the same whatever the password, so
    it never confirms a guessed one."""
    from sso.saml.selectors import password_login_refusal

    account = User.objects.filter(email=email).first()
    refusal = password_login_refusal(email, None)
    if refusal is None and account is not None:
        refusal = password_login_refusal(email, account)
    if refusal is None:
        return
    _audit_login_failed(email, "password", "saml_only")
    raise DomainError("saml_only", refusal)


def session_logout(*, request: HttpRequest) -> None:
    user = request.user
    with transaction.atomic():
        if user.is_authenticated:
            audit_record(action=AuditAction.LOGOUT, actor=user, obj=user)
            forget_current(request)
        logout(request)


HANDOFF_SECONDS = 120


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def handoff_create(*, user: User) -> str:
    """A one-time sign-in token for ``user`` in the current schema, valid for two minutes."""
    token = secrets.token_urlsafe(32)
    LoginHandoff.objects.create(
        user=user,
        token_hash=_token_hash(token),
        expires_at=timezone.now() + timedelta(seconds=HANDOFF_SECONDS),
    )
    return token


def handoff_redeem(*, request: HttpRequest, token: str, next_url: str = "") -> str:
    """Sign in with a handoff token (as ``session_login``, it returns the next step); a used,
    expired or unknown token is refused (and audited)."""
    with transaction.atomic():
        ticket = (
            LoginHandoff.objects.select_for_update()
            .select_related("user")
            .filter(
                token_hash=_token_hash(token),
                used_at__isnull=True,
                expires_at__gt=timezone.now(),
                user__is_active=True,
            )
            .first()
        )
        if ticket is not None:
            ticket.used_at = timezone.now()
            ticket.save(update_fields=["used_at"])
            return login_begin(
                request=request, user=ticket.user, method="signup_handoff", next_url=next_url
            )
    with transaction.atomic():
        audit_record(
            action=AuditAction.LOGIN_FAILED,
            object_type="sso.user",
            details={"method": "signup_handoff", "reason": "invalid_or_used_token"},
        )
    raise DomainError(
        "handoff_invalid",
        "This sign-in link has expired or was already used. Sign in with your e-mail and password.",
    )
