"""Buyer portal: My company, its addresses and cost centres, the team, accepting invitations;
isolation between companies and tenants."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from commerce.customers import services
from commerce.customers.models import CostCentre, DeliveryAddress, Invitation, Membership
from commerce.customers.tests.conftest import PORTAL, login
from sso.models import User
from tests.factories import CostCentreFactory, DeliveryAddressFactory, MembershipFactory

ADDRESS = {
    "label": "Dock 4",
    "line1": "Kai 1",
    "postcode": "20095",
    "city": "Hamburg",
    "country": "DE",
}


def state(alpha):
    """Everything a refused request must leave as it was."""
    with schema_context(alpha.schema):
        return (
            list(
                DeliveryAddress.objects.order_by("id").values_list("label", "active", "is_default")
            ),
            list(CostCentre.objects.order_by("id").values_list("code", "name", "active")),
            list(Membership.objects.order_by("id").values_list("role", "user__is_active")),
            list(Invitation.objects.order_by("id").values_list("email", "revoked_at")),
            list(User.objects.order_by("id").values_list("email", "kind", "staff_role")),
        )


def test_a_member_sees_their_company(alpha, x):
    with schema_context(alpha.schema):
        DeliveryAddressFactory(company=x.company, label="Main site", is_default=True)
        DeliveryAddressFactory(company=x.company, label="Old site", active=False)
        CostCentreFactory(company=x.company, code="CC-7", name="Workshop")
    client = login(alpha.client(), "x-viewer@buyer.test")
    response = client.get("/company/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Xylo GmbH" in body and "Main site" in body and "CC-7" in body
    assert "Old site" not in body
    assert "EUR 10000.00" in body
    assert "/company/addresses/new/" not in body  # viewers do not get the buttons


def test_a_company_admin_manages_addresses_and_cost_centres(alpha, x):
    client = login(alpha.client(), "x-admin@buyer.test")
    assert client.post("/company/addresses/new/", ADDRESS).status_code == 302
    assert (
        client.post("/company/cost-centres/new/", {"code": "CC-1", "name": "Yard"}).status_code
        == 302
    )
    with schema_context(alpha.schema):
        address = DeliveryAddress.objects.get(company=x.company)
        centre = CostCentre.objects.get(company=x.company)
    bad = client.post(f"/company/addresses/{address.public_id}/", {**ADDRESS, "postcode": "ABC"})
    assert bad.status_code == 400
    assert bad.context["form"].errors["postcode"] == [
        "“ABC” is not a valid postcode for Germany: use 5 digits."
    ]
    assert client.post(f"/company/addresses/{address.public_id}/deactivate/").status_code == 302
    assert client.post(f"/company/cost-centres/{centre.public_id}/deactivate/").status_code == 302
    with schema_context(alpha.schema):
        address.refresh_from_db()
        centre.refresh_from_db()
        assert (address.postcode, address.active, centre.active) == ("20095", False, False)


@pytest.mark.parametrize("who", ["x-buyer", "x-viewer"])
def test_members_who_are_not_admins_change_nothing_by_page(alpha, x, who):
    with schema_context(alpha.schema):
        address = DeliveryAddressFactory(company=x.company, label="Main", is_default=True)
        centre = CostCentreFactory(company=x.company, code="CC1")
    client = login(alpha.client(), f"{who}@buyer.test")
    before = state(alpha)
    attempts = [
        ("/company/addresses/new/", ADDRESS),
        (f"/company/addresses/{address.public_id}/", ADDRESS),
        (f"/company/addresses/{address.public_id}/deactivate/", {}),
        ("/company/cost-centres/new/", {"code": "Z", "name": "Z"}),
        (f"/company/cost-centres/{centre.public_id}/deactivate/", {}),
        ("/company/team/", {"email": "n@b.test", "role": "buyer"}),
        (f"/company/team/{x.admin.public_id}/role/", {"role": "viewer"}),
        (f"/company/team/{x.admin.public_id}/deactivate/", {}),
    ]
    for path, data in attempts:
        assert client.post(path, data).status_code == 403, path
    assert state(alpha) == before
    # They still see the team, read-only.
    team = client.get("/company/team/")
    assert team.status_code == 200
    assert [m.user.email for m in team.context["members"]] == [
        "x-admin@buyer.test",
        "x-buyer@buyer.test",
        "x-viewer@buyer.test",
    ]
    assert "Invite a colleague" not in team.content.decode()


def test_another_companys_ids_are_not_found_by_page(alpha, x, y):
    with schema_context(alpha.schema):
        address = DeliveryAddressFactory(company=y.company, label="Y main", is_default=True)
        centre = CostCentreFactory(company=y.company, code="Y1")
        invitation, _ = services.invitation_create(
            actor=y.admin.user,
            company=y.company,
            email="yn@b.test",
            role="buyer",
            portal_url=PORTAL,
        )
    client = login(alpha.client(), "x-admin@buyer.test")
    before = state(alpha)
    gets = [
        f"/company/addresses/{address.public_id}/",
        f"/company/cost-centres/{centre.public_id}/",
        f"/company/team/{y.buyer.public_id}/role/",
    ]
    for path in gets:
        assert client.get(path).status_code == 404, path
    posts = [
        (f"/company/addresses/{address.public_id}/", ADDRESS),
        (f"/company/addresses/{address.public_id}/deactivate/", {}),
        (f"/company/cost-centres/{centre.public_id}/deactivate/", {}),
        (f"/company/team/{y.buyer.public_id}/role/", {"role": "viewer"}),
        (f"/company/team/{y.admin.public_id}/deactivate/", {}),
        (f"/company/team/invitations/{invitation.public_id}/revoke/", {}),
        (f"/company/team/invitations/{invitation.public_id}/resend/", {}),
    ]
    for path, data in posts:
        assert client.post(path, data).status_code == 404, path
    assert state(alpha) == before
    page = client.get("/company/team/").content.decode()
    assert "y-buyer@buyer.test" not in page and "yn@b.test" not in page


def test_a_company_admin_cannot_reach_supplier_staff_rights(alpha, x):
    client = login(alpha.client(), "x-admin@buyer.test")
    before = state(alpha)
    for role in ("administrator", "account_manager"):
        response = client.post(f"/company/team/{x.buyer.public_id}/role/", {"role": role})
        assert response.status_code == 400
        assert response.context["form"].errors["role"][0].startswith("Select a valid choice.")
        invite = client.post("/company/team/", {"email": "boss@b.test", "role": role})
        assert invite.status_code == 400
    assert client.get("/backoffice/companies/").status_code == 403
    assert client.get("/backoffice/").status_code == 403
    assert state(alpha) == before


def test_staff_have_no_company_in_the_portal_and_anonymous_signs_in(alpha, admin_client):
    assert admin_client.get("/company/").status_code == 404
    assert admin_client.get("/company/team/").status_code == 404
    anonymous = alpha.client().get("/company/team/")
    assert (anonymous.status_code, anonymous["Location"]) == (302, "/login/?next=/company/team/")


def test_another_tenants_member_ids_are_not_found(alpha, beta, x):
    with schema_context(beta.schema):
        from tests.factories import CompanyFactory, UserFactory

        company = CompanyFactory(name="Beta buyer")
        MembershipFactory(
            company=company, role="company_admin", user=UserFactory(email="b-admin@buyer.test")
        )
    client = login(beta.client(), "b-admin@buyer.test")
    before = state(alpha)
    assert client.post(f"/company/team/{x.buyer.public_id}/deactivate/").status_code == 404
    assert client.get(f"/company/team/{x.buyer.public_id}/role/").status_code == 404
    assert state(alpha) == before


def test_the_team_page_costs_the_same_queries_for_3_or_12_members(alpha, x):
    client = login(alpha.client(), "x-admin@buyer.test")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/company/team/").status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    with schema_context(alpha.schema):
        MembershipFactory.create_batch(9, company=x.company)
        for n in range(3):
            services.invitation_create(
                actor=alpha.admin,
                company=x.company,
                email=f"p{n}@b.test",
                role="buyer",
                portal_url=PORTAL,
            )
    assert queries() == small


# --- Team management and invitations through the portal ---------------------------------------


def test_a_company_admin_invites_and_the_invitee_joins(alpha, x):
    admin = login(alpha.client(), "x-admin@buyer.test")
    response = admin.post(
        "/company/team/", {"email": "Nina@Buyer.test", "full_name": "Nina", "role": "buyer"}
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        from outbox.models import OutboxMessage

        payload = OutboxMessage.objects.filter(payload__template="invitation").get().payload
    link = payload["context"]["link"]
    token = re.fullmatch(r"http://alpha\.portico\.localhost:8000/invitations/([\w-]+)/", link)[1]

    invitee = alpha.client()
    page = invitee.get(f"/invitations/{token}/")
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "same-origin"
    body = page.content.decode()
    assert "Join Xylo GmbH" in body and "nina@buyer.test" in body

    weak = invitee.post(f"/invitations/{token}/", {"full_name": "Nina New", "password": "nina"})
    assert weak.status_code == 400
    assert weak.context["form"].errors["password"] == [
        "The password is too similar to the email. This password is too short. It must contain at least 10 characters. "
        "This password is too common."
    ]
    with schema_context(alpha.schema):
        assert not User.objects.filter(email="nina@buyer.test").exists()

    joined = invitee.post(
        f"/invitations/{token}/", {"full_name": "Nina New", "password": "Another-Good-Pass-77"}
    )
    assert (joined.status_code, joined["Location"]) == (302, "/catalogue/")
    assert invitee.get("/company/").context["membership"].user.email == "nina@buyer.test"

    again = alpha.client().get(f"/invitations/{token}/")
    assert again.status_code == 410
    assert again.context["error"].message == (
        "This invitation was already used. Sign in with your e-mail and password."
    )
    unknown = alpha.client().get("/invitations/nope/")
    assert unknown.status_code == 404
    assert "This invitation link is not valid." in unknown.content.decode()


def test_a_token_of_alpha_does_nothing_on_beta(alpha, beta, x):
    with schema_context(alpha.schema):
        _, token = services.invitation_create(
            actor=x.admin.user, company=x.company, email="n@b.test", role="buyer", portal_url=PORTAL
        )
    response = beta.client().post(
        f"/invitations/{token}/", {"full_name": "N", "password": "Another-Good-Pass-77"}
    )
    assert response.status_code == 404
    with schema_context(beta.schema):
        assert not User.objects.filter(email="n@b.test").exists()
    with schema_context(alpha.schema):
        assert not User.objects.filter(email="n@b.test").exists()


def test_a_company_admin_runs_the_team(alpha, x):
    admin = login(alpha.client(), "x-admin@buyer.test")
    response = admin.post(
        f"/company/team/{x.buyer.public_id}/role/", {"role": "approver", "approval_limit": "900"}
    )
    assert response.status_code == 302
    own = admin.post(f"/company/team/{x.admin.public_id}/role/", {"role": "buyer"})
    assert own.status_code == 400
    assert own.context["form"].non_field_errors() == [
        "You cannot change the role of yourself; ask another company admin."
    ]
    assert admin.post(f"/company/team/{x.viewer.public_id}/deactivate/").status_code == 302
    self_off = admin.post(f"/company/team/{x.admin.public_id}/deactivate/", follow=True)
    assert [str(m) for m in self_off.context["messages"]] == [
        "x-viewer@buyer.test can no longer sign in.",
        "You cannot deactivate yourself; ask another company admin.",
    ]
    with schema_context(alpha.schema):
        assert list(
            Membership.objects.filter(company=x.company)
            .order_by("user__email")
            .values_list("role", "user__is_active")
        ) == [("company_admin", True), ("approver", True), ("viewer", False)]
    # The deactivated viewer is signed out for good.
    assert (
        alpha.client()
        .post("/login/", {"email": "x-viewer@buyer.test", "password": "Correct-Horse-Battery-42"})
        .status_code
        == 400
    )
