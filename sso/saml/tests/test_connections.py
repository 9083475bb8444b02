"""Connections in the back office (administrators): create, edit with a metadata upload,
delete, the SP metadata, the "test this connection" flow, last errors, and isolation."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from lxml import etree

from audit.models import AuditEntry
from conftest import TEST_PASSWORD
from sso.models import User
from sso.saml.errors import SamlConfigError
from sso.saml.models import SamlConnection, SamlDomain
from sso.saml.services import connection_create
from sso.saml.tests.conftest import company_input, post_acs, signed_in_user_id
from sso.saml.tests.idp import TestIdp, request_id

pytestmark = pytest.mark.django_db


def _admin(tenant):
    client = tenant.client()
    assert (
        client.post("/login/", {"email": tenant.admin.email, "password": TEST_PASSWORD}).status_code
        == 302
    )
    return client


FORM = {
    "name": "Zeta Okta",
    "audience": "company",
    "idp_entity_id": "https://idp.zeta.test/saml",
    "idp_sso_url": "https://idp.zeta.test/sso",
    "email_domains": "zeta.test, zeta-group.test",
    "attr_email": "mail",
    "attr_role": "groups",
    "role_map": "buyers-lead = approver",
    "default_role": "buyer",
    "jit_enabled": "on",
    "active": "on",
}


def test_an_administrator_creates_a_company_connection_from_a_pasted_certificate(alpha, world, idp):
    client = _admin(alpha)
    before = world.audit_count()

    response = client.post(
        "/backoffice/sso/new/",
        {**FORM, "company": str(world.y.public_id), "certificates": idp.cert},
    )

    assert response.status_code == 302
    with schema_context(alpha.schema):
        conn = SamlConnection.objects.get(name="Zeta Okta")
        assert response["Location"] == f"/backoffice/sso/{conn.public_id}/"
        assert (conn.company_id, conn.default_role, conn.role_map, conn.jit_enabled) == (
            world.y.pk,
            "buyer",
            {"buyers-lead": "approver"},
            True,
        )
        assert sorted(conn.domains) == ["zeta-group.test", "zeta.test"]
        entry = AuditEntry.objects.order_by("-id").first()
        assert (entry.action, entry.details) == (
            "saml.connection_created",
            {"audience": "company", "domains": ["zeta.test", "zeta-group.test"]},
        )
    assert world.audit_count() == before + 1
    page = client.get(response["Location"]).content.decode()
    assert f"{world.portal}/sso/saml/{conn.public_id}/acs/" in page
    assert "CN=test-idp" in page


def test_metadata_upload_fills_entity_id_url_and_certificate(alpha, world):
    other = TestIdp(
        entity_id="https://idp.meta.test/entity",
        sso_url="https://idp.meta.test/sso",
        key_name="meta-idp",
    )
    client = _admin(alpha)
    upload = SimpleUploadedFile("idp.xml", other.metadata().encode(), content_type="text/xml")

    response = client.post(
        f"/backoffice/sso/{world.conn.public_id}/edit/",
        {**FORM, "name": "Xylo Okta", "email_domains": "xylo.test", "metadata": upload},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    with schema_context(alpha.schema):
        conn = SamlConnection.objects.get(pk=world.conn.pk)
        assert (conn.idp_entity_id, conn.idp_sso_url) == (
            "https://idp.meta.test/entity",
            "https://idp.meta.test/sso",
        )
        assert conn.certificates == other.cert.strip()
        assert (conn.company_id, conn.audience) == (world.x.pk, "company")  # not changeable
        entry = AuditEntry.objects.order_by("-id").first()
        assert entry.action == "saml.connection_updated"
        assert set(entry.changes) >= {"certificates", "idp_entity_id", "idp_sso_url", "name"}


def test_metadata_with_a_doctype_is_refused_and_nothing_changes(alpha, world):
    client = _admin(alpha)
    evil = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        + TestIdp().metadata()
    )
    before = world.audit_count()
    response = client.post(
        f"/backoffice/sso/{world.conn.public_id}/edit/",
        {
            **FORM,
            "email_domains": "xylo.test",
            "metadata": SimpleUploadedFile("m.xml", evil.encode()),
        },
    )
    assert response.status_code == 400
    assert "contains a DOCTYPE or entity declarations" in response.content.decode()
    assert world.audit_count() == before
    with schema_context(alpha.schema):
        assert (
            SamlConnection.objects.get(pk=world.conn.pk).idp_entity_id
            == "https://idp.xylo.test/saml"
        )


def test_an_email_domain_leads_to_one_connection_only(alpha, world, idp):
    with schema_context(alpha.schema):
        with pytest.raises(SamlConfigError) as refused:
            connection_create(
                actor=alpha.admin,
                data=company_input(
                    world.y, idp, name="Yarrow IdP", email_domains="yarrow.test XYLO.test"
                ),
            )
        assert refused.value.message == (
            "xylo.test already leads to the connection “Xylo GmbH IdP”; an e-mail domain can "
            "lead to one connection only."
        )
        assert not SamlConnection.objects.filter(name="Yarrow IdP").exists()
        assert not SamlDomain.objects.filter(domain="yarrow.test").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"certificates": "-----BEGIN CERTIFICATE-----\nnotbase64!\n-----END CERTIFICATE-----"},
            "could not be read",
        ),
        ({"certificates": ""}, "Paste at least one signing certificate"),
        ({"default_role": "administrator"}, "Choose the default role among buyer"),
        ({"role_map": "x = superuser"}, "Line 1 of the role mapping"),
        ({"email_domains": "not a domain!"}, "is not an e-mail domain"),
        ({"idp_sso_url": "javascript:alert(1)"}, "Enter the IdP's sign-in URL"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(alpha, world, idp, overrides, message):
    with schema_context(alpha.schema):
        values = {"name": "Bad", "email_domains": "bad.test", **overrides}
        with pytest.raises(SamlConfigError) as refused:
            connection_create(actor=alpha.admin, data=company_input(world.y, idp, **values))
        assert message in refused.value.message
        assert not SamlConnection.objects.filter(name="Bad").exists()


def test_only_administrators_manage_connections(alpha, world, idp):
    from core.errors import PermissionDenied

    with schema_context(alpha.schema):
        validator = User.objects.create_user(
            "val@alpha.test", TEST_PASSWORD, kind="staff", staff_role="validator", full_name="V"
        )
        with pytest.raises(PermissionDenied):
            connection_create(
                actor=validator, data=company_input(world.y, idp, email_domains="y.test")
            )
        with pytest.raises(PermissionDenied):
            connection_create(
                actor=world.x_member, data=company_input(world.y, idp, email_domains="y.test")
            )


def test_delete_removes_the_connection_and_audits_it(alpha, world):
    client = _admin(alpha)
    response = client.post(f"/backoffice/sso/{world.conn.public_id}/delete/")
    assert response.status_code == 302
    with schema_context(alpha.schema):
        assert not SamlConnection.objects.filter(pk=world.conn.pk).exists()
        assert not SamlDomain.objects.filter(domain="xylo.test").exists()
        assert AuditEntry.objects.order_by("-id").first().action == "saml.connection_deleted"
        assert User.objects.filter(pk=world.x_member.pk).exists()


def test_sp_metadata_names_the_entity_id_and_acs_on_the_primary_domain(alpha, world):
    response = alpha.client().get(f"/sso/saml/{world.conn.public_id}/metadata/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/samlmetadata+xml")
    root = etree.fromstring(response.content)
    md = {"md": "urn:oasis:names:tc:SAML:2.0:metadata"}
    sp = world.sp()
    assert root.get("entityID") == sp.entity_id
    acs = root.find("md:SPSSODescriptor/md:AssertionConsumerService", md)
    assert (acs.get("Location"), acs.get("Binding")) == (
        sp.acs_url,
        "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
    )
    assert root.find("md:SPSSODescriptor", md).get("WantAssertionsSigned") == "true"


def test_the_test_flow_shows_the_result_without_signing_anyone_in(alpha, world, idp):
    client = _admin(alpha)
    admin_id = signed_in_user_id(client)
    response = client.post(f"/backoffice/sso/{world.conn.public_id}/test/")
    assert response.status_code == 302
    assert response["Location"].startswith("https://idp.xylo.test/sso?SAMLRequest=")
    rid = request_id(response["Location"])
    sp = world.sp()
    with schema_context(alpha.schema):
        users = User.objects.count()

    result = post_acs(
        client,
        world.conn,
        idp.response(
            acs_url=sp.acs_url, audience=sp.entity_id, in_response_to=rid, name_id="n@xylo.test"
        ),
    )

    page = result.content.decode()
    assert result.status_code == 200
    assert "The connection works." in page
    assert "An account for new.person@xylo.test would be created with the role “Approver”." in page
    assert "<code>groups</code>: staff-all, purchasing-approvers" in page
    assert signed_in_user_id(client) == admin_id  # still the administrator
    with schema_context(alpha.schema):
        assert User.objects.count() == users
        entry = AuditEntry.objects.order_by("-id").first()
        assert (entry.action, entry.details) == (
            "saml.connection_tested",
            {"ok": True, "email": "new.person@xylo.test", "role": "approver"},
        )


def test_a_failed_test_says_why_and_shows_on_the_connection_page(alpha, world, idp, stranger):
    client = _admin(alpha)
    rid = request_id(client.post(f"/backoffice/sso/{world.conn.public_id}/test/")["Location"])
    sp = world.sp()

    result = post_acs(
        client,
        world.conn,
        stranger.response(
            acs_url=sp.acs_url, audience=sp.entity_id, in_response_to=rid, name_id="n@xylo.test"
        ),
    )

    assert result.status_code == 403
    assert "The test failed." in result.content.decode()
    assert "signature did not check out against the certificate" in result.content.decode()
    page = client.get(f"/backoffice/sso/{world.conn.public_id}/").content.decode()
    assert "bad_signature" in page and "test" in page
    with schema_context(alpha.schema):
        entry = AuditEntry.objects.order_by("-id").first()
        assert (entry.action, entry.details) == (
            "saml.connection_tested",
            {"ok": False, "reason": "bad_signature"},
        )


def test_last_errors_show_on_the_connection_page(alpha, world, idp):
    anonymous = alpha.client()
    anonymous.get("/login/")
    anonymous.cookies["portico_session"] = "x"  # a browser with a session cookie: no bounce
    anonymous.post(f"/sso/saml/{world.conn.public_id}/acs/", {"SAMLResponse": "%%%"})
    page = _admin(alpha).get(f"/backoffice/sso/{world.conn.public_id}/").content.decode()
    assert "The answer from your identity provider could not be read" in page


# --- Isolation --------------------------------------------------------------------------------


def test_another_tenant_cannot_reach_this_tenants_connection(alpha, beta, world, idp):
    beta_admin = _admin(beta)
    for path in ("", "edit/"):
        assert beta_admin.get(f"/backoffice/sso/{world.conn.public_id}/{path}").status_code == 404
    anonymous = beta.client()
    assert anonymous.get(f"/sso/saml/{world.conn.public_id}/metadata/").status_code == 404
    before = world.audit_count()
    response = anonymous.post(f"/sso/saml/{world.conn.public_id}/acs/", {"SAMLResponse": "x"})
    assert response.status_code == 404
    assert world.audit_count() == before


def test_buyers_and_other_staff_roles_cannot_open_connection_pages(alpha, world):
    with schema_context(alpha.schema):
        User.objects.create_user(
            "val@alpha.test", TEST_PASSWORD, kind="staff", staff_role="validator", full_name="V"
        )
    for email in ("val@alpha.test", "x-buyer@xylo.test"):
        client = alpha.client()
        assert (
            client.post("/login/", {"email": email, "password": TEST_PASSWORD}).status_code == 302
        )
        assert client.get("/backoffice/sso/").status_code == 403
        assert client.get(f"/backoffice/sso/{world.conn.public_id}/").status_code == 403


def test_the_pages_render_for_an_administrator(alpha, world):
    client = _admin(alpha)
    listing = client.get("/backoffice/sso/").content.decode()
    assert "Xylo GmbH IdP" in listing and "Alpha staff IdP" in listing
    assert "xylo.test" in listing
    assert client.get("/backoffice/sso/new/").status_code == 200
    edit = client.get(f"/backoffice/sso/{world.conn.public_id}/edit/")
    assert edit.status_code == 200
    assert "purchasing-approvers = approver" in edit.content.decode()
