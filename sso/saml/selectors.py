"""Reads of SAML single sign-on."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from core.errors import NotFound
from core.ids import parse_uuid
from core.tenancy import current_schema
from sso.choices import UserKind
from sso.policies import require_supplier_admin
from sso.saml.models import SamlConnection, SamlDomain, SamlLoginError

RECENT_ERRORS = 10


def _with_domains(qs: QuerySet[SamlConnection]) -> QuerySet[SamlConnection]:
    return qs.select_related("company").prefetch_related(
        Prefetch("email_domains", queryset=SamlDomain.objects.order_by("domain"))
    )


def connection_list(*, actor: Any) -> QuerySet[SamlConnection]:
    """Every connection of the portal, for its administrators."""
    require_supplier_admin(actor)
    return _with_domains(SamlConnection.objects.order_by("name"))


def access_connection_by_id(actor: Any, public_id: Any) -> SamlConnection:
    """A connection for the portal's administrators; the same ``NotFound`` for a missing id,
    a malformed one and anyone else."""
    require_supplier_admin(actor)
    parsed = parse_uuid(public_id)
    connection = (
        _with_domains(SamlConnection.objects.filter(public_id=parsed)).first() if parsed else None
    )
    if connection is None:
        raise NotFound()
    return connection


def connection_by_public_id(public_id: Any) -> SamlConnection:
    """A connection for the public SAML endpoints (metadata, ACS): the id is in the URL the
    IdP was given. Inactive connections are found too (the ACS refuses them with a reason)."""
    parsed = parse_uuid(public_id)
    connection = (
        SamlConnection.objects.select_related("company").filter(public_id=parsed).first()
        if parsed
        else None
    )
    if connection is None:
        raise NotFound()
    return connection


def email_domain(email: str) -> str:
    return email.strip().lower().rpartition("@")[2]


def connection_for_email(email: str) -> SamlConnection | None:
    """The active connection whose discovery domains include ``email``'s domain."""
    domain = email_domain(email)
    if not domain:
        return None
    return (
        SamlConnection.objects.select_related("company")
        .filter(active=True, email_domains__domain=domain)
        .first()
    )


def any_active_connection() -> bool:
    """Whether the login page offers "Continue with SSO"."""
    if current_schema() == "public":
        return False
    return SamlConnection.objects.filter(active=True).exists()


def company_connection_ids(company: Any) -> list[str]:
    """Public ids of ``company``'s connections (its admins' security log shows their events)."""
    return [
        str(public_id)
        for public_id in SamlConnection.objects.filter(company=company).values_list(
            "public_id", flat=True
        )
    ]


def recent_errors(connection: SamlConnection) -> list[SamlLoginError]:
    return list(connection.login_errors.all()[:RECENT_ERRORS])


def password_login_refusal(email: str, user: Any = None) -> str | None:
    """Why a password sign-in is refused, or None. Before the password is checked (``user``
    None): when an active "SAML only" connection lists the e-mail's domain (that says no more
    than the login page's SSO discovery does). After (``user`` given): when the buyer's company
    has an active "SAML only" connection, whatever their address. Operators (public schema)
    are never concerned."""
    if current_schema() == "public":
        return None
    saml_only = SamlConnection.objects.filter(active=True, saml_only=True)
    if user is None:
        connection = saml_only.filter(email_domains__domain=email_domain(email)).first()
    elif user.kind == UserKind.BUYER:
        membership = getattr(user, "membership", None)
        company_id = getattr(membership, "company_id", None)
        connection = saml_only.filter(company_id=company_id).first() if company_id else None
    else:
        # Staff: only by domain (above), so an administrator with an outside address keeps a
        # way in when the IdP is down.
        connection = None
    if connection is None:
        return None
    return (
        f"Your organisation signs in to this portal with single sign-on ({connection.name}), "
        "not with a password. Enter your e-mail under “Continue with SSO”."
    )
