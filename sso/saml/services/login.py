"""Login writes: SP-initiated start (and the administrator's test), and the ACS.

A refusal leaves no session, writes exactly one audit entry (``auth.login_failed``,
``method=saml`` and a reason category) and records the error on the connection; an accepted
assertion's id is stored (unique) in the same transaction as the login.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from audit.choices import AuditAction
from audit.services import audit_record
from core import context
from core.errors import DomainError
from sso import ratelimit
from sso.choices import UserKind
from sso.models import User
from sso.policies import require_supplier_admin
from sso.saml import protocol
from sso.saml.choices import Audience, SamlAction
from sso.saml.errors import NoSsoForDomain, SamlRefused
from sso.saml.models import SamlAssertionUse, SamlConnection, SamlLoginError
from sso.saml.selectors import connection_for_email, email_domain
from sso.saml.selfcheck import require_saml
from sso.saml.services.connections import roles_for
from sso.services.login import login_begin

PENDING_KEY = "saml_pending"
PENDING_SECONDS = 10 * 60  # an AuthnRequest must be answered within this time
PENDING_MAX = 5  # requests one browser session may have open at once
ERRORS_KEPT = 20
CONFIRM_KEY = "saml_confirm"
CONFIRM_SECONDS = 2 * 60  # an IdP-initiated sign-in must be confirmed within this time

# --- SP-initiated login --------------------------------------------------------------------------


def _remember_request(
    request: HttpRequest, connection: SamlConnection, request_id: str, **extra: Any
) -> None:
    now = time.time()
    pending = {
        key: entry
        for key, entry in (request.session.get(PENDING_KEY) or {}).items()
        if now - entry["at"] < PENDING_SECONDS
    }
    while len(pending) >= PENDING_MAX:
        pending.pop(min(pending, key=lambda k: pending[k]["at"]))
    pending[request_id] = {"c": str(connection.public_id), "at": now, **extra}
    request.session[PENDING_KEY] = pending


def saml_login_start(*, request: HttpRequest, email: str, portal_url: str, next_url: str) -> str:
    """Start an SP-initiated login for the active connection of ``email``'s domain: remember
    the AuthnRequest's id in this session and return the IdP URL to redirect to."""
    require_saml()
    connection = connection_for_email(email)
    if connection is None:
        raise NoSsoForDomain(email_domain(email) or email)
    sp = protocol.sp_endpoints(connection, portal_url)
    url, request_id = protocol.authn_request(connection, sp)
    _remember_request(request, connection, request_id, next=next_url, test=None)
    return url


def saml_test_start(
    *, actor: Any, request: HttpRequest, connection: SamlConnection, portal_url: str
) -> str:
    """Start a login whose result is shown to this administrator instead of signing anyone in
    (works for inactive connections too)."""
    require_supplier_admin(actor)
    require_saml()
    sp = protocol.sp_endpoints(connection, portal_url)
    url, request_id = protocol.authn_request(connection, sp)
    _remember_request(request, connection, request_id, next="", test=actor.pk)
    return url


# --- ACS -----------------------------------------------------------------------------------------


@dataclass
class Mapped:
    """The identity of a checked assertion, mapped through the connection's settings."""

    email: str
    full_name: str
    role: str
    name_id: str
    attributes: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class AcsResult:
    """A sign-in of ``user`` begun (``step``: ``done``, ``otp``, ``enrol`` as in
    ``sso.services.login``; and where to go after), or an IdP-initiated sign-in waiting for the
    browser's user to confirm it (``confirm_token``, ``confirm_email``), or, for a test, what
    would have happened."""

    user: User | None = None
    step: str = ""
    next_url: str = ""
    test: Mapped | None = None
    test_outcome: str = ""
    confirm_token: str = ""
    confirm_email: str = ""


def _consume_pending(
    request: HttpRequest, connection: SamlConnection, in_response_to: str | None
) -> dict[str, Any] | None:
    """The login this session started that the response answers (used up now, whatever
    follows), None for an allowed IdP-initiated login; otherwise a refusal."""
    if not in_response_to:
        if connection.allow_idp_initiated:
            return None
        raise SamlRefused("unsolicited", "the response has no InResponseTo")
    pending = dict(request.session.get(PENDING_KEY) or {})
    entry = pending.pop(in_response_to, None)
    request.session[PENDING_KEY] = pending
    if (
        entry is None
        or entry.get("c") != str(connection.public_id)
        or time.time() - entry.get("at", 0) >= PENDING_SECONDS
    ):
        raise SamlRefused("unknown_request", f"InResponseTo {in_response_to!r} not started here")
    return entry


def _first(identity: protocol.Identity, name: str) -> str:
    values = identity.attributes.get(name) or [] if name else []
    return values[0].strip() if values else ""


def _map(connection: SamlConnection, identity: protocol.Identity) -> Mapped:
    email = (_first(identity, connection.attr_email) or identity.name_id).strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise SamlRefused("no_email", f"no usable e-mail (got {email[:100]!r})") from exc
    if email_domain(email) not in connection.domains:
        raise SamlRefused("email_domain", f"{email} is outside {connection.domains}")
    full_name = _first(identity, connection.attr_full_name) or " ".join(
        p
        for p in (
            _first(identity, connection.attr_first_name),
            _first(identity, connection.attr_last_name),
        )
        if p
    )
    role = connection.default_role
    if connection.attr_role:
        for value in identity.attributes.get(connection.attr_role) or []:
            if value.strip() in connection.role_map:
                role = connection.role_map[value.strip()]
                break
    return Mapped(
        email=email,
        full_name=(full_name or email.partition("@")[0])[:150],
        role=role,
        name_id=identity.name_id,
        attributes=identity.attributes,
    )


def _existing_user(connection: SamlConnection, email: str) -> User | None:
    """The account this assertion may sign in, None when there is none yet; a refusal when the
    account belongs to another company, to staff (for a company IdP) or to a buyer (for the
    staff IdP), or is deactivated."""
    user = User.objects.filter(email=email).first()
    if user is None:
        return None
    if connection.audience == Audience.COMPANY:
        membership = getattr(user, "membership", None)
        if user.kind != UserKind.BUYER or membership is None:
            raise SamlRefused("belongs_elsewhere", f"{email} is not a buyer")
        if membership.company_id != connection.company_id:
            raise SamlRefused("belongs_elsewhere", f"{email} is a member of another company")
    elif user.kind != UserKind.STAFF:
        raise SamlRefused("belongs_elsewhere", f"{email} is not supplier staff")
    if not user.is_active:
        raise SamlRefused("user_inactive", f"{email} is deactivated")
    return user


def _provision(connection: SamlConnection, mapped: Mapped) -> User:
    from commerce.customers.services import member_provision
    from sso.services import user_create

    if not connection.jit_enabled:
        raise SamlRefused("not_provisioned", f"{mapped.email} has no account; JIT is off")
    if mapped.role not in roles_for(connection.audience):
        raise SamlRefused("bad_role", f"role {mapped.role!r}")
    try:
        if connection.company is not None:  # a company connection (the model guarantees it)
            return member_provision(
                company=connection.company,
                email=mapped.email,
                full_name=mapped.full_name,
                role=mapped.role,
            ).user
        return user_create(
            actor=None,
            email=mapped.email,
            full_name=mapped.full_name,
            password=None,
            kind=UserKind.STAFF,
            staff_role=mapped.role,
        )
    except DomainError as exc:
        raise SamlRefused("belongs_elsewhere", exc.message) from exc


def _use_assertion(
    connection: SamlConnection, identity: protocol.Identity, request_id: str | None
) -> None:
    """Store the assertion id (and the request id) as used; a replay fails here, also when
    it races the first use (the unique index waits for the other transaction)."""
    try:
        with transaction.atomic():
            SamlAssertionUse.objects.create(
                connection=connection,
                assertion_id=identity.assertion_id,
                request_id=request_id,
                expires_at=identity.expires_at,
            )
    except IntegrityError as exc:
        raise SamlRefused("replay", f"assertion {identity.assertion_id} already used") from exc


def _sign_in(
    request: HttpRequest,
    connection: SamlConnection,
    mapped: Mapped,
    *,
    identity: protocol.Identity | None,
    request_id: str | None,
    next_url: str,
) -> tuple[User, str]:
    """Find (or JIT-create) the account and begin its sign-in through ``sso.services.login``: the
    second step (TOTP code or guided enrolment) is asked as after a password. ``identity``
    given: its assertion id is used up in the same transaction."""
    try:
        with transaction.atomic():
            if identity is not None:
                _use_assertion(connection, identity, request_id)
            user = _existing_user(connection, mapped.email) or _provision(connection, mapped)
            step = login_begin(  # done: new session id, session recorded; else pending
                request=request,
                user=user,
                method="saml",
                next_url=next_url,
                details={"connection": str(connection.public_id)},
            )
    except IntegrityError as exc:  # the same new account created by a concurrent sign-in
        raise SamlRefused("busy", f"{type(exc).__name__}: {exc}") from exc
    return user, step


def _refuse_other_session(request: HttpRequest, email: str) -> None:
    """An IdP-initiated response never replaces the sign-in of another user in this browser
    (anyone's site can make a browser post one: login CSRF)."""
    current = request.user
    if current.is_authenticated and getattr(current, "email", "") != email:
        exc = SamlRefused("other_session", f"signed in as {current.email}, asserted {email}")
        exc.message = (
            f"You are signed in as {current.email}. Sign out first, then sign in through "
            "your identity provider again."
        )
        raise exc


def _await_confirmation(
    request: HttpRequest, connection: SamlConnection, identity: protocol.Identity
) -> AcsResult:
    """An accepted IdP-initiated response signs nobody in yet: its assertion id is used up,
    and the session keeps who it names under a short-lived random token that only our own
    confirmation form (same origin, CSRF-protected) sends back."""
    mapped = _map(connection, identity)
    _refuse_other_session(request, mapped.email)
    with transaction.atomic():
        _use_assertion(connection, identity, None)
        if _existing_user(connection, mapped.email) is None and not connection.jit_enabled:
            raise SamlRefused("not_provisioned", f"{mapped.email} has no account; JIT is off")
    token = secrets.token_urlsafe(32)
    request.session[CONFIRM_KEY] = {
        "token": token,
        "c": str(connection.public_id),
        "at": time.time(),
        "email": mapped.email,
        "full_name": mapped.full_name,
        "role": mapped.role,
        "name_id": mapped.name_id,
    }
    return AcsResult(confirm_token=token, confirm_email=mapped.email)


def saml_idp_confirm(*, request: HttpRequest, connection: SamlConnection, token: str) -> AcsResult:
    """The browser's user confirmed an IdP-initiated sign-in ("Continue as …"): begin it if
    ``token`` is the one this session was given for this connection within
    ``CONFIRM_SECONDS`` (used up now, whatever follows). Refusals as in ``saml_acs``."""
    require_saml()
    try:
        waiting = request.session.pop(CONFIRM_KEY, None)
        if (
            not isinstance(waiting, dict)
            or waiting.get("c") != str(connection.public_id)
            or not token
            or not constant_time_compare(str(waiting.get("token", "")), token)
            or time.time() - float(waiting.get("at", 0)) >= CONFIRM_SECONDS
        ):
            raise SamlRefused("confirmation_expired", "no matching confirmation in this session")
        if not connection.active:
            raise SamlRefused("connection_inactive", "the connection is inactive")
        mapped = Mapped(
            email=str(waiting["email"]),
            full_name=str(waiting["full_name"]),
            role=str(waiting["role"]),
            name_id=str(waiting["name_id"]),
        )
        _refuse_other_session(request, mapped.email)
        user, step = _sign_in(
            request, connection, mapped, identity=None, request_id=None, next_url=""
        )
        return AcsResult(user=user, step=step)
    except SamlRefused as exc:
        _record_refusal(request, connection, exc)
        raise


def _test_report(
    actor: Any, connection: SamlConnection, identity: protocol.Identity, request_id: str | None
) -> AcsResult:
    mapped = _map(connection, identity)
    with transaction.atomic():
        _use_assertion(connection, identity, request_id)
        user = _existing_user(connection, mapped.email)
        if user is not None:
            outcome = f"{mapped.email} would be signed in to their existing account."
        elif connection.jit_enabled:
            outcome = (
                f"An account for {mapped.email} would be created with the role "
                f"“{roles_for(connection.audience).get(mapped.role, mapped.role)}”."
            )
        else:
            raise SamlRefused("not_provisioned", f"{mapped.email} has no account; JIT is off")
        audit_record(
            action=SamlAction.CONNECTION_TESTED,
            actor=actor,
            obj=connection,
            details={"ok": True, "email": mapped.email, "role": mapped.role},
        )
    return AcsResult(test=mapped, test_outcome=outcome)


def saml_acs(
    *, request: HttpRequest, connection: SamlConnection, portal_url: str, encoded: str
) -> AcsResult:
    """Check a Response posted to this connection's ACS and sign its user in (or, for a test
    started by an administrator, report what would happen). Raises ``SamlRefused`` after
    recording the refusal (one audit entry, the connection's last errors). An address past
    its refused posts (``saml:ip`` limit) gets ``RateLimited`` and nothing is written."""
    require_saml()
    ip = context.current().ip
    limits = [ratelimit.Bucket("saml:ip", ip)] if ip else []
    ratelimit.check(limits, "refused sign-ins from your address")
    sp = protocol.sp_endpoints(connection, portal_url)
    entry: dict[str, Any] | None = None
    try:
        if not connection.active and not _is_test(request, connection):
            raise SamlRefused("connection_inactive", "the connection is inactive")
        response = protocol.read_response(connection, sp, encoded)
        entry = _consume_pending(request, connection, response.get_in_response_to())
        request_id = response.get_in_response_to() if entry is not None else None
        identity = protocol.check_response(response, connection, sp, request_id)
        tester = entry.get("test") if entry else None
        if tester is not None:
            if getattr(request.user, "pk", None) != tester:
                raise SamlRefused("unknown_request", "the test was started by someone else")
            return _test_report(request.user, connection, identity, request_id)
        # Used assertion ids past their last valid moment can go: the time checks refuse them.
        SamlAssertionUse.objects.filter(expires_at__lt=timezone.now()).delete()
        if entry is None:  # IdP-initiated: the browser's user confirms first
            return _await_confirmation(request, connection, identity)
        next_url = str(entry.get("next") or "")
        user, step = _sign_in(
            request,
            connection,
            _map(connection, identity),
            identity=identity,
            request_id=request_id,
            next_url=next_url,
        )
        return AcsResult(user=user, step=step, next_url=next_url)
    except SamlRefused as exc:
        exc.test = bool(entry and entry.get("test") is not None)
        ratelimit.hit(limits)
        _record_refusal(request, connection, exc)
        raise


def _is_test(request: HttpRequest, connection: SamlConnection) -> bool:
    pending = request.session.get(PENDING_KEY) or {}
    return any(
        e.get("c") == str(connection.public_id) and e.get("test") is not None
        for e in pending.values()
    )


def _record_refusal(request: HttpRequest, connection: SamlConnection, exc: SamlRefused) -> None:
    test = exc.test
    with transaction.atomic():
        if test:
            audit_record(
                action=SamlAction.CONNECTION_TESTED,
                actor=request.user,
                obj=connection,
                details={"ok": False, "reason": exc.code},
            )
        else:
            audit_record(
                action=AuditAction.LOGIN_FAILED,
                object_type="saml.samlconnection",
                object_id=str(connection.public_id),
                object_label=connection.name,
                details={
                    "method": "saml",
                    "reason": exc.code,
                    "connection": str(connection.public_id),
                },
            )
        SamlLoginError.objects.create(
            connection=connection,
            reason=exc.code,
            message=exc.message[:500],
            detail=exc.detail,
            test=test,
        )
        stale = list(
            SamlLoginError.objects.filter(connection=connection).values_list("pk", flat=True)[
                ERRORS_KEPT:
            ]
        )
        if stale:
            SamlLoginError.objects.filter(pk__in=stale).delete()
