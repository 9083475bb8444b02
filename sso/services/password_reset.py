"""Password reset: a request e-mails a link; the link sets a new password once.

The link is built on the portal's *primary* domain (given by the caller from the tenant, never
from the request's Host), so a forged Host header cannot point it elsewhere. The token is
Django's ``PasswordResetTokenGenerator``: it expires after ``PASSWORD_RESET_TIMEOUT`` and stops
working once the password (or the last sign-in) changes, so it works once. The answer to a
request is the same whether the e-mail has an account or not. Requests are limited per account
and per IP.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.choices import AuditAction
from audit.services import audit_record
from core import context
from core.errors import DomainError
from outbox.services import outbox_enqueue
from sso import ratelimit
from sso.errors import ResetLinkInvalid
from sso.models import User
from sso.selectors import reset_link_user
from sso.services.sessions import user_sessions_end_all


def password_reset_request(*, email: str, portal_url: str) -> None:
    """E-mail a reset link to ``email`` if it has an active account here. ``portal_url`` is
    the portal's primary address (``scheme://primary-domain[:port]``)."""
    email = email.strip().lower()
    limits = ratelimit.buckets("reset", account=email, ip=context.current().ip)
    ratelimit.reserve(limits, "password reset requests")  # every request counts
    user = User.objects.filter(email=email, is_active=True).first()
    with transaction.atomic():
        audit_record(
            action=AuditAction.PASSWORD_RESET_REQUESTED,
            actor_label=email[:254],
            object_type="sso.user",
            object_id=str(user.public_id) if user else "",
            details={"account_found": user is not None},
        )
        if user is None or not user.has_usable_password():
            return
        token = default_token_generator.make_token(user)
        link = f"{portal_url.rstrip('/')}/password-reset/{user.public_id}/{token}/"
        outbox_enqueue(
            kind="email",
            payload={
                "template": "password_reset",
                "to": [user.email],
                "subject": "Reset your password",
                "context": {"name": user.full_name, "link": link, "email": user.email},
            },
        )


def password_reset_complete(*, public_id: Any, token: str, password: str) -> User:
    """Set the new password through a valid link (which then stops working); every session of
    the user ends."""
    with transaction.atomic():
        user = reset_link_user(public_id, token)
        user = User.objects.select_for_update().get(pk=user.pk)
        if not default_token_generator.check_token(user, token):  # raced another use
            raise ResetLinkInvalid()
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DomainError("weak_password", " ".join(exc.messages), field="password") from exc
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(action=AuditAction.PASSWORD_RESET, actor=user, obj=user)
        user_sessions_end_all(actor=user, user=user, reason="password_reset")
    return user
