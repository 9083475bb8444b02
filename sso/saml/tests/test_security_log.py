"""A company admin's security log shows their company's refused SSO sign-ins (audited about
the SAML connection, which names no user), never another company's."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from commerce.customers.choices import MemberRole
from sso.saml.services import connection_create
from sso.saml.tests.conftest import company_input
from sso.saml.tests.idp import TestIdp, encode
from sso.tests.support import password_step
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _unsolicited(world, idp, conn, email):
    sp = world.sp(conn)
    return idp.response(
        acs_url=sp.acs_url,
        audience=sp.entity_id,
        in_response_to=None,
        name_id=email,
        attributes={"mail": [email]},
    )


def _post(client, conn, xml):
    return client.post(
        f"/sso/saml/{conn.public_id}/acs/", {"SAMLResponse": encode(xml), "portico_bounced": "1"}
    )


def test_company_admins_see_their_companys_refused_saml_sign_ins(alpha, world, idp):
    yarrow_idp = TestIdp(entity_id="https://idp.yarrow.test/saml", key_name="yarrow-idp")
    with schema_context(alpha.schema):
        MembershipFactory(
            company=world.x,
            role=MemberRole.COMPANY_ADMIN,
            user=UserFactory(email="lx@xylo.test"),
        )
        y_conn = connection_create(
            actor=alpha.admin,
            data=company_input(world.y, yarrow_idp, email_domains="yarrow.test"),
        )
    # IdP-initiated logins are off: both responses are refused (one audit entry each)
    assert (
        _post(
            alpha.client(), world.conn, _unsolicited(world, idp, world.conn, "a@xylo.test")
        ).status_code
        == 403
    )
    assert (
        _post(
            alpha.client(), y_conn, _unsolicited(world, yarrow_idp, y_conn, "b@yarrow.test")
        ).status_code
        == 403
    )

    admin = alpha.client()
    assert password_step(admin, "lx@xylo.test").status_code == 302
    body = admin.get("/company/security-log/", {"action": "auth.login_failed"}).content.decode()

    assert body.count('<tr><td class="text-nowrap">') == 1
    assert "Xylo GmbH IdP" in body and "unsolicited" in body
    assert "Yarrow BV IdP" not in body
