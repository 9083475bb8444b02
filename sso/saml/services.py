"""Writes of SAML single sign-on: connections (administrators), SP-initiated login, the ACS.

Connections: each write checks the actor is a supplier administrator, runs in one transaction
and is audited. Logins: a refusal leaves no session, writes exactly one audit entry
(``auth.login_failed``, ``method=saml`` and a reason category) and records the error on the
connection; an accepted assertion's id is stored (unique) in the same transaction as the login.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.choices import AuditAction
from audit.services import audit_record, changes_between, snapshot
from commerce.customers.choices import MemberRole
from commerce.customers.models import Company
from core.errors import DomainError
from sso.choices import StaffRole, UserKind
from sso.models import User
from sso.policies import require_supplier_admin
from sso.saml import protocol
from sso.saml.choices import Audience, SamlAction
from sso.saml.errors import NoSsoForDomain, SamlConfigError, SamlRefused
from sso.saml.models import SamlAssertionUse, SamlConnection, SamlDomain, SamlLoginError
from sso.saml.selectors import connection_for_email, email_domain
from sso.saml.selfcheck import require_saml

PENDING_KEY = "saml_pending"
PENDING_SECONDS = 10 * 60  # an AuthnRequest must be answered within this time
PENDING_MAX = 5  # requests one browser session may have open at once
ERRORS_KEPT = 20

_DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9](-*[a-z0-9])*)(\.[a-z0-9](-*[a-z0-9])*)+$")
_FIELDS = (
    "name",
    "audience",
    "idp_entity_id",
    "idp_sso_url",
    "certificates",
    "attr_email",
    "attr_first_name",
    "attr_last_name",
    "attr_full_name",
    "attr_role",
    "role_map",
    "default_role",
    "jit_enabled",
    "saml_only",
    "allow_idp_initiated",
    "active",
)


# --- Connections ---------------------------------------------------------------------------------


@dataclass
class ConnectionInput:
    """What an administrator enters for a connection. ``metadata`` (uploaded IdP metadata XML)
    fills the entity id, SSO URL and certificates; ``role_map`` is one ``value = role`` a line."""

    name: str
    audience: str
    idp_entity_id: str = ""
    idp_sso_url: str = ""
    certificates: str = ""
    metadata: bytes | None = None
    company: Company | None = None
    email_domains: str = ""
    attr_email: str = ""
    attr_first_name: str = ""
    attr_last_name: str = ""
    attr_full_name: str = ""
    attr_role: str = ""
    role_map: str = ""
    default_role: str = ""
    jit_enabled: bool = False
    saml_only: bool = False
    allow_idp_initiated: bool = False
    active: bool = True


def roles_for(audience: str) -> dict[str, str]:
    choices = MemberRole if audience == Audience.COMPANY else StaffRole
    return {str(value): str(label) for value, label in choices.choices}


def parse_domains(text: str) -> list[str]:
    domains = []
    for raw in re.split(r"[\s,;]+", text or ""):
        domain = raw.strip().lower().lstrip("@").rstrip(".")
        if not domain:
            continue
        if not _DOMAIN_RE.match(domain):
            raise SamlConfigError(
                "domain_invalid",
                f"“{raw}” is not an e-mail domain; write it like example.com.",
                field="email_domains",
            )
        domains.append(domain)
    return list(dict.fromkeys(domains))


def parse_role_map(text: str, audience: str) -> dict[str, str]:
    roles = roles_for(audience)
    result: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        value, sep, role = line.partition("=")
        value, role = value.strip(), role.strip()
        if not sep or not value or role not in roles:
            raise SamlConfigError(
                "role_map_invalid",
                f"Line {number} of the role mapping: write “IdP value = role” with one of the "
                f"roles {', '.join(roles)}.",
                field="role_map",
            )
        result[value] = role
    return result


def _clean(data: ConnectionInput) -> dict[str, Any]:
    """Validated column values (and ``domains``) from ``data``; a ``SamlConfigError`` names the
    field that is wrong."""
    if data.audience not in Audience.values:
        raise SamlConfigError("audience_invalid", "Choose who signs in.", field="audience")
    if data.audience == Audience.COMPANY and data.company is None:
        raise SamlConfigError(
            "company_required", "Choose the buyer company this IdP signs in.", field="company"
        )
    entity_id, sso_url, certificates = data.idp_entity_id, data.idp_sso_url, data.certificates
    if data.metadata:
        meta = protocol.parse_idp_metadata(data.metadata)
        entity_id, sso_url = meta.entity_id, meta.sso_url
        certificates = "\n".join(meta.certificates)
    if not data.name.strip():
        raise SamlConfigError("name_required", "Name the connection.", field="name")
    if not entity_id.strip():
        raise SamlConfigError(
            "entity_id_required", "Enter the IdP's entity id (issuer).", field="idp_entity_id"
        )
    try:
        URLValidator(schemes=["https", "http"])(sso_url.strip())
    except ValidationError as exc:
        raise SamlConfigError(
            "sso_url_invalid",
            "Enter the IdP's sign-in URL (HTTP-Redirect binding), starting with https://.",
            field="idp_sso_url",
        ) from exc
    pems = protocol.normalise_certificates(certificates)
    roles = roles_for(data.audience)
    if data.default_role not in roles:
        raise SamlConfigError(
            "default_role_invalid",
            f"Choose the default role among {', '.join(roles)}.",
            field="default_role",
        )
    domains = parse_domains(data.email_domains)
    if not domains:
        raise SamlConfigError(
            "domains_required",
            "Enter at least one e-mail domain (like example.com) that leads to this IdP.",
            field="email_domains",
        )
    return {
        "name": data.name.strip()[:120],
        "audience": data.audience,
        "company": data.company if data.audience == Audience.COMPANY else None,
        "idp_entity_id": entity_id.strip()[:500],
        "idp_sso_url": sso_url.strip()[:500],
        "certificates": "\n".join(pems),
        "attr_email": data.attr_email.strip()[:200],
        "attr_first_name": data.attr_first_name.strip()[:200],
        "attr_last_name": data.attr_last_name.strip()[:200],
        "attr_full_name": data.attr_full_name.strip()[:200],
        "attr_role": data.attr_role.strip()[:200],
        "role_map": parse_role_map(data.role_map, data.audience),
        "default_role": data.default_role,
        "jit_enabled": bool(data.jit_enabled),
        "saml_only": bool(data.saml_only),
        "allow_idp_initiated": bool(data.allow_idp_initiated),
        "active": bool(data.active),
        "domains": domains,
    }


def _set_domains(connection: SamlConnection, domains: list[str]) -> None:
    taken = (
        SamlDomain.objects.filter(domain__in=domains)
        .exclude(connection=connection)
        .select_related("connection")
        .first()
    )
    if taken is not None:
        raise SamlConfigError(
            "domain_taken",
            f"{taken.domain} already leads to the connection “{taken.connection.name}”; an "
            "e-mail domain can lead to one connection only.",
            field="email_domains",
        )
    SamlDomain.objects.filter(connection=connection).exclude(domain__in=domains).delete()
    existing = set(
        SamlDomain.objects.filter(connection=connection).values_list("domain", flat=True)
    )
    try:
        with transaction.atomic():  # a concurrent writer took the domain: same message
            SamlDomain.objects.bulk_create(
                [SamlDomain(connection=connection, domain=d) for d in domains if d not in existing]
            )
    except IntegrityError as exc:
        raise SamlConfigError(
            "domain_taken",
            "One of these e-mail domains was just given to another connection.",
            field="email_domains",
        ) from exc


def connection_create(*, actor: Any, data: ConnectionInput) -> SamlConnection:
    """Create a connection with its discovery domains (unique in the portal)."""
    require_supplier_admin(actor)
    values = _clean(data)
    domains = values.pop("domains")
    with transaction.atomic():
        connection = SamlConnection.objects.create(created_by=actor, **values)
        _set_domains(connection, domains)
        audit_record(
            action=SamlAction.CONNECTION_CREATED,
            actor=actor,
            obj=connection,
            details={"audience": connection.audience, "domains": domains},
        )
    return connection


def connection_update(
    *, actor: Any, connection: SamlConnection, data: ConnectionInput
) -> SamlConnection:
    """Change a connection (an uploaded metadata file replaces entity id, URL and
    certificates). The audience and company may not change: create another connection."""
    require_supplier_admin(actor)
    data.audience = connection.audience
    data.company = connection.company
    values = _clean(data)
    domains = values.pop("domains")
    values.pop("company")
    with transaction.atomic():
        locked = SamlConnection.objects.select_for_update().get(pk=connection.pk)
        before = {**snapshot(locked, _FIELDS), "domains": sorted(locked.domains)}
        for name, value in values.items():
            setattr(locked, name, value)
        _set_domains(locked, domains)
        after = {**snapshot(locked, _FIELDS), "domains": sorted(domains)}
        changes = changes_between(before, after)
        if changes:
            locked.save(update_fields=[*values.keys(), "updated_at"])
            audit_record(
                action=SamlAction.CONNECTION_UPDATED, actor=actor, obj=locked, changes=changes
            )
    return locked


def connection_delete(*, actor: Any, connection: SamlConnection) -> None:
    """Delete a connection with its domains, used assertion ids and recorded errors. Its
    members keep their accounts (they can be invited to set a password)."""
    require_supplier_admin(actor)
    with transaction.atomic():
        locked = SamlConnection.objects.select_for_update().get(pk=connection.pk)
        audit_record(
            action=SamlAction.CONNECTION_DELETED,
            actor=actor,
            obj=locked,
            details={"audience": locked.audience, "domains": sorted(locked.domains)},
        )
        locked.delete()


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
    """A signed-in ``user`` (and where to go), or, for a test, what would have happened."""

    user: User | None = None
    next_url: str = ""
    test: Mapped | None = None
    test_outcome: str = ""


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
    identity: protocol.Identity,
    request_id: str | None,
) -> User:
    mapped = _map(connection, identity)
    # Used assertion ids past their last valid moment can go: the time checks refuse them now.
    SamlAssertionUse.objects.filter(expires_at__lt=timezone.now()).delete()
    try:
        with transaction.atomic():
            _use_assertion(connection, identity, request_id)
            user = _existing_user(connection, mapped.email) or _provision(connection, mapped)
            login(request, user, backend="sso.backends.PorticoBackend")  # rotates the session key
            audit_record(
                action=AuditAction.LOGIN,
                actor=user,
                obj=user,
                details={"method": "saml", "connection": str(connection.public_id)},
            )
    except IntegrityError as exc:  # the same new account created by a concurrent sign-in
        raise SamlRefused("busy", f"{type(exc).__name__}: {exc}") from exc
    return user


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
    recording the refusal (one audit entry, the connection's last errors)."""
    require_saml()
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
        user = _sign_in(request, connection, identity, request_id)
        return AcsResult(user=user, next_url=str((entry or {}).get("next") or ""))
    except SamlRefused as exc:
        exc.test = bool(entry and entry.get("test") is not None)
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
