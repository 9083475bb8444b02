"""Accepted SAML logins (SP-initiated, real signed responses from the test IdP), and the rules
about who an IdP may sign in."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.customers.models import Membership
from conftest import TEST_PASSWORD
from sso.models import User
from sso.saml.models import SamlAssertionUse, SamlLoginError
from sso.saml.services import ConnectionInput, connection_update
from sso.saml.tests.conftest import company_input, post_acs, signed_in_user_id, start
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_new_buyer_of_x_is_created_with_the_mapped_role_and_signed_in(alpha, world, idp):
    client = alpha.client()
    rid = start(client, "new.person@xylo.test")
    sp = world.sp()
    before = world.audit_count()

    response = post_acs(
        client,
        world.conn,
        idp.response(
            acs_url=sp.acs_url,
            audience=sp.entity_id,
            in_response_to=rid,
            name_id="new.person@xylo.test",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == "/catalogue/"
    with schema_context(alpha.schema):
        user = User.objects.get(email="new.person@xylo.test")
        membership = Membership.objects.get(user=user)
        assert (user.kind, user.full_name, user.has_usable_password()) == (
            "buyer",
            "Nora Neu",
            False,
        )
        assert (membership.company_id, membership.role) == (world.x.pk, "approver")
        assert signed_in_user_id(client) == str(user.pk)
        entries = list(AuditEntry.objects.order_by("id"))[before:]
        assert [e.action for e in entries] == [
            "user.created",
            "company.member_joined",
            "auth.login",
        ]
        assert entries[-1].details == {"method": "saml", "connection": str(world.conn.public_id)}
        assert SamlAssertionUse.objects.filter(connection=world.conn, request_id=rid).count() == 1
    # the session works: the buyer's catalogue opens
    assert client.get("/catalogue/").status_code == 200


def test_an_existing_member_of_x_signs_in_and_the_session_id_rotates(alpha, world, idp):
    client = alpha.client()
    rid = start(client, "x-buyer@xylo.test")
    anonymous_key = client.session.session_key
    sp = world.sp()

    response = post_acs(
        client,
        world.conn,
        idp.response(
            acs_url=sp.acs_url,
            audience=sp.entity_id,
            in_response_to=rid,
            name_id="x-buyer@xylo.test",
            attributes={"mail": ["X-Buyer@xylo.test"]},
        ),
    )

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(world.x_member.pk)
    assert client.session.session_key != anonymous_key
    with schema_context(alpha.schema):
        assert Membership.objects.get(user=world.x_member).role == "buyer"  # role kept


def test_next_is_kept_through_the_idp(alpha, world, idp):
    client = alpha.client()
    response = client.post(
        "/sso/saml/discover/", {"sso-email": "x-buyer@xylo.test", "next": "/orders/"}
    )
    from sso.saml.tests.idp import request_id

    rid = request_id(response["Location"])
    sp = world.sp()
    response = post_acs(
        client,
        world.conn,
        idp.response(
            acs_url=sp.acs_url,
            audience=sp.entity_id,
            in_response_to=rid,
            name_id="x-buyer@xylo.test",
            attributes={"mail": ["x-buyer@xylo.test"]},
        ),
    )
    assert response["Location"] == "/orders/"


def test_staff_idp_creates_staff_with_the_mapped_role(alpha, world, staff_idp):
    client = alpha.client()
    rid = start(client, "dora.dispatch@alpha-corp.test")
    sp = world.sp(world.staff_conn)

    response = post_acs(
        client,
        world.staff_conn,
        staff_idp.response(
            acs_url=sp.acs_url,
            audience=sp.entity_id,
            in_response_to=rid,
            name_id="dora.dispatch@alpha-corp.test",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == "/backoffice/"
    with schema_context(alpha.schema):
        user = User.objects.get(email="dora.dispatch@alpha-corp.test")
        assert (user.kind, user.staff_role, user.full_name) == (
            "staff",
            "dispatcher",
            "Dora Dispatch",
        )
        assert not Membership.objects.filter(user=user).exists()
    assert signed_in_user_id(client) == str(user.pk)


def _refused_login(alpha, world, idp, email, *, reason, typed=None):
    client = alpha.client()
    rid = start(client, typed or email)
    sp = world.sp()
    with schema_context(alpha.schema):
        users, members = User.objects.count(), Membership.objects.count()
    before = world.audit_count()
    response = post_acs(
        client,
        world.conn,
        idp.response(
            acs_url=sp.acs_url,
            audience=sp.entity_id,
            in_response_to=rid,
            name_id=email,
            attributes={"mail": [email]},
        ),
    )
    assert response.status_code == 403
    assert signed_in_user_id(client) is None
    assert world.audit_count() == before + 1
    entry = world.last_audit()
    assert (entry.action, entry.details["reason"]) == ("auth.login_failed", reason)
    with schema_context(alpha.schema):
        assert (User.objects.count(), Membership.objects.count()) == (users, members)
        assert SamlLoginError.objects.filter(connection=world.conn).first().reason == reason
    return response


def test_a_member_of_another_company_is_never_signed_in_by_xs_idp(alpha, world, idp):
    response = _refused_login(alpha, world, idp, "y-buyer@xylo.test", reason="belongs_elsewhere")
    assert "belongs to an account that this connection cannot sign in" in response.content.decode()


def test_supplier_staff_is_never_signed_in_by_a_company_idp(alpha, world, idp):
    with schema_context(alpha.schema):
        User.objects.filter(pk=alpha.admin.pk).update(email="boss@xylo.test")
    try:
        _refused_login(alpha, world, idp, "boss@xylo.test", reason="belongs_elsewhere")
    finally:
        with schema_context(alpha.schema):
            User.objects.filter(pk=alpha.admin.pk).update(email="admin@alpha.test")


def test_a_buyer_is_never_signed_in_by_the_staff_idp(alpha, world, staff_idp):
    with schema_context(alpha.schema):
        User.objects.filter(pk=world.x_member.pk).update(email="x-buyer@alpha-corp.test")
    client = alpha.client()
    rid = start(client, "x-buyer@alpha-corp.test")
    sp = world.sp(world.staff_conn)
    before = world.audit_count()
    response = post_acs(
        client,
        world.staff_conn,
        staff_idp.response(
            acs_url=sp.acs_url,
            audience=sp.entity_id,
            in_response_to=rid,
            name_id="x",
            attributes={"email": ["x-buyer@alpha-corp.test"]},
        ),
    )
    assert response.status_code == 403
    assert signed_in_user_id(client) is None
    assert world.audit_count() == before + 1
    assert world.last_audit().details["reason"] == "belongs_elsewhere"


def test_an_address_outside_the_connections_domains_is_refused(alpha, world, idp):
    _refused_login(
        alpha, world, idp, "someone@yarrow.test", reason="email_domain", typed="x-buyer@xylo.test"
    )


def test_without_jit_only_existing_members_sign_in(alpha, world, idp):
    with schema_context(alpha.schema):
        connection_update(
            actor=alpha.admin,
            connection=world.conn,
            data=company_input(world.x, idp, jit_enabled=False),
        )
    _refused_login(alpha, world, idp, "stranger@xylo.test", reason="not_provisioned")


def test_a_deactivated_member_is_refused(alpha, world, idp):
    with schema_context(alpha.schema):
        User.objects.filter(pk=world.x_member.pk).update(is_active=False)
    _refused_login(alpha, world, idp, "x-buyer@xylo.test", reason="user_inactive")


def test_saml_only_refuses_the_password_for_the_companys_members(alpha, world, idp):
    with schema_context(alpha.schema):
        connection_update(
            actor=alpha.admin,
            connection=world.conn,
            data=company_input(world.x, idp, saml_only=True),
        )
    client = alpha.client()
    before = world.audit_count()

    response = client.post("/login/", {"email": "x-buyer@xylo.test", "password": TEST_PASSWORD})

    assert response.status_code == 400
    assert (
        "signs in to this portal with single sign-on (Xylo GmbH IdP)" in response.content.decode()
    )
    assert signed_in_user_id(client) is None
    assert world.audit_count() == before + 1
    assert world.last_audit().details == {"method": "password", "reason": "saml_only"}
    with schema_context(alpha.schema):
        yarrow = UserFactory(email="y-other@yarrow.test")
        MembershipFactory(user=yarrow, company=world.y)
    # another company's buyer and the supplier's administrator still sign in with passwords
    assert (
        alpha.client()
        .post("/login/", {"email": "y-other@yarrow.test", "password": TEST_PASSWORD})
        .status_code
        == 302
    )
    assert (
        alpha.client()
        .post("/login/", {"email": "admin@alpha.test", "password": TEST_PASSWORD})
        .status_code
        == 302
    )


def test_saml_only_answers_a_member_the_same_whatever_the_password(alpha, world, idp):
    """A member of X with an address outside X's domains: the company's refusal is decided
    from the account before the password is checked, so a right password is not confirmed."""
    with schema_context(alpha.schema):
        connection_update(
            actor=alpha.admin,
            connection=world.conn,
            data=company_input(world.x, idp, saml_only=True),
        )
        contractor = UserFactory(email="x-contractor@mail.test")
        MembershipFactory(user=contractor, company=world.x)
    answers = []
    for password in ("wrong-password-1", TEST_PASSWORD):
        before = world.audit_count()
        client = alpha.client()
        response = client.post("/login/", {"email": "x-contractor@mail.test", "password": password})
        answers.append((response.status_code, response.content.decode().count("single sign-on")))
        assert "signs in to this portal with single sign-on (Xylo GmbH IdP)" in (
            response.content.decode()
        )
        assert signed_in_user_id(client) is None
        assert world.audit_count() == before + 1
        entry = world.last_audit()
        assert (entry.action, entry.actor_label, entry.object_id, entry.details) == (
            "auth.login_failed",
            "x-contractor@mail.test",
            str(contractor.public_id),
            {"method": "password", "reason": "saml_only"},
        )
    assert answers[0] == answers[1]
    assert answers[0][0] == 400


def test_staff_saml_only_concerns_staff_of_its_domains_only(alpha, world, staff_idp):
    with schema_context(alpha.schema):
        connection_update(
            actor=alpha.admin,
            connection=world.staff_conn,
            data=ConnectionInput(
                name="Alpha staff IdP",
                audience="staff",
                idp_entity_id=staff_idp.entity_id,
                idp_sso_url=staff_idp.sso_url,
                certificates=staff_idp.cert,
                email_domains="alpha-corp.test",
                default_role="validator",
                saml_only=True,
            ),
        )
        UserFactory(email="val@alpha-corp.test", kind="staff", staff_role="validator")
    refused = alpha.client().post(
        "/login/", {"email": "val@alpha-corp.test", "password": TEST_PASSWORD}
    )
    assert refused.status_code == 400
    assert "single sign-on (Alpha staff IdP)" in refused.content.decode()
    # the administrator's address is outside the staff IdP's domains: the way in stays open
    assert (
        alpha.client()
        .post("/login/", {"email": "admin@alpha.test", "password": TEST_PASSWORD})
        .status_code
        == 302
    )


def test_discovery_without_a_connection_for_the_domain_says_so(alpha, world):
    client = alpha.client()
    response = client.post("/sso/saml/discover/", {"sso-email": "someone@nowhere.test"})
    assert response.status_code == 400
    assert (
        "There is no single sign-on for “nowhere.test” on this portal." in response.content.decode()
    )
    assert "saml_pending" not in client.session


def test_the_login_page_offers_sso_only_when_a_connection_is_active(alpha, beta, world):
    assert "Continue with SSO" in alpha.client().get("/login/").content.decode()
    assert "Continue with SSO" not in beta.client().get("/login/").content.decode()


def test_an_inactive_connection_is_not_discovered(alpha, world, idp):
    with schema_context(alpha.schema):
        connection_update(
            actor=alpha.admin, connection=world.conn, data=company_input(world.x, idp, active=False)
        )
    response = alpha.client().post("/sso/saml/discover/", {"sso-email": "x-buyer@xylo.test"})
    assert response.status_code == 400
