"""Back-office customer pages: list, export, create/edit, members, invitations, audit trail."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.customers.models import Company, Invitation, Membership
from commerce.customers.tests.conftest import login
from outbox.models import OutboxMessage
from sso.models import User
from tenants.models import Domain
from tests.factories import CompanyFactory, MembershipFactory, PriceListFactory

FORM = {
    "name": "Acme Trading GmbH",
    "vat_id": "DE123456789",
    "billing_line1": "Hauptstraße 1",
    "billing_postcode": "10115",
    "billing_city": "Berlin",
    "billing_country": "DE",
    "payment_terms": "net",
    "net_days": "30",
    "credit_limit": "5000",
    "status": "active",
}


def company_names(alpha):
    with schema_context(alpha.schema):
        return list(Company.objects.order_by("name").values_list("name", flat=True))


def test_an_admin_creates_a_company_and_sees_its_page_with_history(alpha, admin_client):
    with schema_context(alpha.schema):
        trade = PriceListFactory(name="Trade")
    response = admin_client.post(
        "/backoffice/companies/new/",
        {
            **FORM,
            "price_lists": [str(trade.public_id)],
            "account_manager": str(alpha.admin.public_id),
        },
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        company = Company.objects.get(name="Acme Trading GmbH")
        assert [pl.name for pl in company.price_lists.all()] == ["Trade"]
        assert company.account_manager_id == alpha.admin.pk
    assert response["Location"] == f"/backoffice/companies/{company.public_id}/"

    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "Net 30 days" in body and "Trade" in body
    assert [e.action for e in page.context["audit"]] == ["company.created"]
    assert "Company created: Acme Trading GmbH" in body


def test_the_company_form_shows_the_service_message_next_to_the_field(alpha, admin_client):
    before = company_names(alpha)
    response = admin_client.post(
        "/backoffice/companies/new/",
        {**FORM, "vat_id": "DE12", "billing_postcode": "1", "payment_terms": "card"},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["vat_id"] == [
        "“DE12” is not a valid VAT id for Germany: use DE followed by 9 digits, e.g. DE123456789."
    ]
    assert errors["billing_postcode"] == ["“1” is not a valid postcode for Germany: use 5 digits."]
    assert errors["net_days"] == [
        "Days apply to net terms only: clear the days or choose net terms."
    ]
    assert 'aria-invalid="true"' in response.content.decode()
    assert company_names(alpha) == before


def test_list_searches_filters_paginates_and_exports(alpha, admin_client):
    with schema_context(alpha.schema):
        for n in range(27):
            CompanyFactory(name=f"Bulk {n:02d}", billing_city="Köln")
        CompanyFactory(name="=HYPERLINK(evil)", status="on_hold", hold_reason="Unpaid")
    first = admin_client.get("/backoffice/companies/?q=köln")
    assert first.status_code == 200
    page = first.context["page"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (27, 25, 2)
    second = admin_client.get("/backoffice/companies/?q=köln&page=2")
    assert [c.name for c in second.context["page"]] == ["Bulk 25", "Bulk 26"]
    held = admin_client.get("/backoffice/companies/?status=on_hold")
    assert [c.name for c in held.context["page"]] == ["=HYPERLINK(evil)"]

    export = admin_client.get("/backoffice/companies/export.csv?status=on_hold")
    assert export["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0][:3] == ["public_id", "name", "vat_id"]
    assert [row[1] for row in rows[1:]] == ["'=HYPERLINK(evil)"]
    assert rows[1][11:13] == ["on_hold", "Unpaid"]


def count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_companies_list_costs_the_same_queries_for_3_or_20_companies(
    alpha, admin_client, staff
):
    with schema_context(alpha.schema):
        for _ in range(3):
            company = CompanyFactory(account_manager=staff["account_manager"])
            MembershipFactory(company=company)
    small = count_queries(admin_client, "/backoffice/companies/")
    with schema_context(alpha.schema):
        for _ in range(17):
            company = CompanyFactory(account_manager=staff["account_manager"])
            MembershipFactory.create_batch(2, company=company)
    assert count_queries(admin_client, "/backoffice/companies/") == small


def test_the_company_page_costs_the_same_queries_for_few_or_many_rows(alpha, admin_client, x):
    path = f"/backoffice/companies/{x.company.public_id}/"
    small = count_queries(admin_client, path)
    with schema_context(alpha.schema):
        MembershipFactory.create_batch(8, company=x.company)
    assert count_queries(admin_client, path) == small


@pytest.mark.parametrize("role", ["validator", "dispatcher", "finance"])
def test_every_staff_role_looks_but_only_editors_change(alpha, staff, x, role):
    client = login(alpha.client(), f"{role}@alpha.test")
    base = f"/backoffice/companies/{x.company.public_id}/"
    assert client.get("/backoffice/companies/").status_code == 200
    page = client.get(base)
    assert page.status_code == 200
    assert "Edit company" not in page.content.decode()
    assert client.get("/backoffice/companies/new/").status_code == 403
    assert client.post(base + "edit/", {**FORM, "name": "Renamed"}).status_code == 403
    assert (
        client.post(base + "members/invite/", {"email": "n@b.test", "role": "buyer"}).status_code
        == 403
    )
    assert client.post(base + f"members/{x.buyer.public_id}/deactivate/").status_code == 403
    with schema_context(alpha.schema):
        assert Company.objects.get(pk=x.company.pk).name == "Xylo GmbH"
        assert Invitation.objects.count() == 0
        assert User.objects.get(pk=x.buyer.user_id).is_active


def test_buyers_and_anonymous_never_reach_the_back_office(alpha, x):
    anonymous = alpha.client().get("/backoffice/companies/")
    assert (anonymous.status_code, anonymous["Location"]) == (
        302,
        "/login/?next=/backoffice/companies/",
    )
    buyer = login(alpha.client(), "x-admin@buyer.test")
    assert buyer.get("/backoffice/companies/").status_code == 403
    assert buyer.get(f"/backoffice/companies/{x.company.public_id}/").status_code == 403


def test_invitation_links_use_the_primary_domain_whatever_the_host(alpha, x):
    with schema_context("public"):
        Domain.objects.create(
            domain="orders.alpha-supplies.test", tenant=alpha.tenant, is_primary=False
        )
    client = Client(HTTP_HOST="orders.alpha-supplies.test")
    login(client, "admin@alpha.test")
    response = client.post(
        f"/backoffice/companies/{x.company.public_id}/members/invite/",
        {"email": "nina@buyer.test", "role": "finance", "full_name": "Nina"},
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        payload = OutboxMessage.objects.filter(payload__template="invitation").get().payload
    link = payload["context"]["link"]
    assert link.startswith("http://alpha.portico.localhost:8000/invitations/")
    assert "alpha-supplies" not in link


def test_staff_manage_members_and_invitations_from_the_company_page(alpha, admin_client, x):
    base = f"/backoffice/companies/{x.company.public_id}/"
    admin_client.post(base + "members/invite/", {"email": "nina@buyer.test", "role": "buyer"})
    with schema_context(alpha.schema):
        invitation = Invitation.objects.get(email="nina@buyer.test")
    assert (
        admin_client.post(base + f"invitations/{invitation.public_id}/resend/").status_code == 302
    )
    assert (
        admin_client.post(base + f"invitations/{invitation.public_id}/revoke/").status_code == 302
    )
    response = admin_client.post(
        base + f"members/{x.buyer.public_id}/role/", {"role": "approver", "approval_limit": "750"}
    )
    assert response.status_code == 302
    assert admin_client.post(base + f"members/{x.viewer.public_id}/deactivate/").status_code == 302
    with schema_context(alpha.schema):
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None
        assert Membership.objects.get(pk=x.buyer.pk).role == "approver"
        assert not User.objects.get(pk=x.viewer.user_id).is_active
        actions = list(
            AuditEntry.objects.filter(details__company=str(x.company.public_id))
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions == [
        "company.member_invited",
        "company.invitation_resent",
        "company.invitation_revoked",
        "company.member_role_changed",
        "company.member_deactivated",
    ]
    page = admin_client.get(base)
    assert [e.action for e in page.context["audit"]] == list(reversed(actions))

    refused = admin_client.post(
        base + f"members/{x.admin.public_id}/role/", {"role": "viewer", "approval_limit": ""}
    )
    assert refused.status_code == 400
    assert refused.context["form"].non_field_errors() == [
        "x-admin@buyer.test is the company's last admin; make someone else company admin first."
    ]


def test_child_ids_must_belong_to_the_company_in_the_url(alpha, admin_client, x, y):
    url = f"/backoffice/companies/{x.company.public_id}/members/{y.buyer.public_id}/deactivate/"
    assert admin_client.post(url).status_code == 404
    with schema_context(alpha.schema):
        assert User.objects.get(pk=y.buyer.user_id).is_active


def test_another_tenants_company_ids_are_not_found(alpha, beta, x):
    client = login(beta.client(), "admin@beta.test")
    base = f"/backoffice/companies/{x.company.public_id}/"
    assert client.get(base).status_code == 404
    assert client.post(base + f"members/{x.buyer.public_id}/deactivate/").status_code == 404
    assert client.get("/backoffice/companies/").context["page"].paginator.count == 0
    with schema_context(alpha.schema):
        assert User.objects.get(pk=x.buyer.user_id).is_active


def test_every_form_page_renders(alpha, admin_client, x):
    with schema_context(alpha.schema):
        from tests.factories import CostCentreFactory, DeliveryAddressFactory

        address = DeliveryAddressFactory(company=x.company, is_default=True)
        centre = CostCentreFactory(company=x.company)
    base = f"/backoffice/companies/{x.company.public_id}/"
    for path in (
        "/backoffice/companies/new/",
        base + "edit/",
        base + "addresses/new/",
        base + f"addresses/{address.public_id}/",
        base + "cost-centres/new/",
        base + f"cost-centres/{centre.public_id}/",
        base + "members/invite/",
        base + f"members/{x.buyer.public_id}/role/",
    ):
        assert admin_client.get(path).status_code == 200, path
    portal = login(alpha.client(), "x-admin@buyer.test")
    for path in (
        "/company/",
        "/company/team/",
        "/company/addresses/new/",
        f"/company/addresses/{address.public_id}/",
        "/company/cost-centres/new/",
        f"/company/cost-centres/{centre.public_id}/",
        f"/company/team/{x.buyer.public_id}/role/",
    ):
        assert portal.get(path).status_code == 200, path
