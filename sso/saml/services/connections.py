"""Connection writes (supplier administrators): create, update (with an uploaded metadata
file), delete. Each checks the actor, runs in one transaction and is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from audit.services import audit_record, changes_between, snapshot
from commerce.customers.choices import MemberRole
from commerce.customers.models import Company
from sso.choices import StaffRole
from sso.policies import require_supplier_admin
from sso.saml import protocol
from sso.saml.choices import Audience, SamlAction
from sso.saml.errors import SamlConfigError
from sso.saml.models import SamlConnection, SamlDomain

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
