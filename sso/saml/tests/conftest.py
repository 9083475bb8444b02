"""Fixtures of the SAML suites: in ``alpha``, company X with an IdP connection (JIT on, role
mapping), company Y with a member, a staff connection, and the test IdPs that sign for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.customers.choices import MemberRole
from sso.saml import protocol
from sso.saml.models import SamlConnection
from sso.saml.services import ConnectionInput, connection_create
from sso.saml.tests.idp import TestIdp, encode, request_id
from tenants.selectors import portal_url
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

X_ATTRIBUTES = {
    "mail": ["new.person@xylo.test"],
    "givenName": ["Nora"],
    "sn": ["Neu"],
    "groups": ["staff-all", "purchasing-approvers"],
}


@pytest.fixture
def idp() -> TestIdp:
    return TestIdp(attributes=X_ATTRIBUTES)


@pytest.fixture
def staff_idp() -> TestIdp:
    return TestIdp(
        entity_id="https://idp.alpha-corp.test/saml",
        sso_url="https://idp.alpha-corp.test/sso",
        key_name="staff-idp",
        attributes={
            "email": ["dora.dispatch@alpha-corp.test"],
            "displayName": ["Dora Dispatch"],
            "role": ["warehouse"],
        },
    )


@pytest.fixture
def stranger() -> TestIdp:
    """Claims to be X's IdP, but signs with a key nobody configured."""
    return TestIdp(attributes=X_ATTRIBUTES, key_name="stranger")


@dataclass
class World:
    schema: str
    portal: str
    admin: Any
    x: Any  # Company
    y: Any
    x_member: Any  # User, buyer of X
    y_member: Any  # User, buyer of Y
    conn: SamlConnection  # company X's IdP
    staff_conn: SamlConnection

    def sp(self, conn: SamlConnection | None = None) -> protocol.SpEndpoints:
        return protocol.sp_endpoints(conn or self.conn, self.portal)

    def audit_count(self) -> int:
        with schema_context(self.schema):
            return AuditEntry.objects.count()

    def last_audit(self) -> Any:
        with schema_context(self.schema):
            return AuditEntry.objects.order_by("-id").first()


def company_input(company: Any, idp: TestIdp, **overrides: Any) -> ConnectionInput:
    values: dict[str, Any] = {
        "name": f"{company.name} IdP",
        "audience": "company",
        "company": company,
        "idp_entity_id": idp.entity_id,
        "idp_sso_url": idp.sso_url,
        "certificates": idp.cert,
        "email_domains": "xylo.test",
        "attr_email": "mail",
        "attr_first_name": "givenName",
        "attr_last_name": "sn",
        "attr_role": "groups",
        "role_map": "purchasing-approvers = approver\nit-admins = company_admin",
        "default_role": "buyer",
        "jit_enabled": True,
    }
    values.update(overrides)
    return ConnectionInput(**values)


@pytest.fixture
def world(alpha, idp, staff_idp) -> World:
    with schema_context(alpha.schema):
        x = CompanyFactory(name="Xylo GmbH")
        y = CompanyFactory(name="Yarrow BV")
        x_member = UserFactory(email="x-buyer@xylo.test", full_name="Xaver Buyer")
        MembershipFactory(user=x_member, company=x, role=MemberRole.BUYER)
        y_member = UserFactory(email="y-buyer@xylo.test", full_name="Yvonne Elsewhere")
        MembershipFactory(user=y_member, company=y, role=MemberRole.BUYER)
        conn = connection_create(actor=alpha.admin, data=company_input(x, idp))
        staff_conn = connection_create(
            actor=alpha.admin,
            data=ConnectionInput(
                name="Alpha staff IdP",
                audience="staff",
                idp_entity_id=staff_idp.entity_id,
                idp_sso_url=staff_idp.sso_url,
                certificates=staff_idp.cert,
                email_domains="alpha-corp.test",
                attr_email="email",
                attr_full_name="displayName",
                attr_role="role",
                role_map="warehouse = dispatcher\nfinance-team = finance",
                default_role="validator",
                jit_enabled=True,
            ),
        )
        return World(
            schema=alpha.schema,
            portal=portal_url(alpha.schema),
            admin=alpha.admin,
            x=x,
            y=y,
            x_member=x_member,
            y_member=y_member,
            conn=conn,
            staff_conn=staff_conn,
        )


def start(client: Client, email: str) -> str:
    """ "Continue with SSO" for ``email``; the AuthnRequest id the IdP will answer."""
    response = client.post("/sso/saml/discover/", {"sso-email": email})
    assert response.status_code == 302, response.content.decode()[:500]
    return request_id(response["Location"])


def post_acs(client: Client, conn: SamlConnection, xml: str) -> Any:
    return client.post(f"/sso/saml/{conn.public_id}/acs/", {"SAMLResponse": encode(xml)})


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")
