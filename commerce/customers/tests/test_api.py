"""API: /api/v1/company and /api/v1/company/members for buyers; nobody else."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from api.services import api_key_create
from commerce.customers.tests.conftest import login
from tests.factories import CostCentreFactory, DeliveryAddressFactory, MembershipFactory


def test_a_buyer_reads_their_company(alpha, x, staff):
    with schema_context(alpha.schema):
        company = x.company
        company.account_manager = staff["account_manager"]
        company.payment_terms, company.net_days = "net", 30
        company.save()
        main = DeliveryAddressFactory(company=company, label="Main", is_default=True)
        DeliveryAddressFactory(company=company, label="Closed", active=False)
        centre = CostCentreFactory(company=company, code="CC-1", name="Yard")
        CostCentreFactory(company=company, code="CC-0", active=False)
    client = login(alpha.client(), "x-buyer@buyer.test")
    response = client.get("/api/v1/company")
    assert response.status_code == 200
    assert response.json() == {
        "id": str(company.public_id),
        "name": "Xylo GmbH",
        "vat_id": company.vat_id,
        "billing_address": {
            "line1": "Hauptstraße 1",
            "line2": "",
            "postcode": "10115",
            "city": "Berlin",
            "country": "DE",
        },
        "payment_terms": "net",
        "net_days": 30,
        "terms": "Net 30 days",
        "credit_limit": "10000.00",
        "currency": "EUR",
        "status": "active",
        "hold_reason": "",
        "account_manager": {"full_name": "account_manager", "email": "account_manager@alpha.test"},
        "my_role": "buyer",
        "addresses": [
            {
                "id": str(main.public_id),
                "label": "Main",
                "line1": "Industriestraße 5",
                "line2": "",
                "postcode": "20095",
                "city": "Hamburg",
                "country": "DE",
                "is_default": True,
            }
        ],
        "cost_centres": [{"id": str(centre.public_id), "code": "CC-1", "name": "Yard"}],
    }


def test_a_buyer_reads_their_team_only(alpha, x, y):
    client = login(alpha.client(), "x-viewer@buyer.test")
    response = client.get("/api/v1/company/members")
    assert response.status_code == 200
    assert response.json() == [
        {
            "id": str(m.public_id),
            "email": m.user.email,
            "full_name": m.user.full_name,
            "role": m.role,
            "approval_limit": None,
            "active": True,
        }
        for m in (x.admin, x.buyer, x.viewer)
    ]


def test_the_members_endpoint_costs_the_same_queries_for_3_or_10_members(alpha, x):
    client = login(alpha.client(), "x-admin@buyer.test")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/company/members").status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    with schema_context(alpha.schema):
        MembershipFactory.create_batch(7, company=x.company)
    assert queries() == small


@pytest.mark.parametrize("path", ["/api/v1/company", "/api/v1/company/members"])
def test_staff_and_api_keys_have_no_company_404(alpha, admin_client, path):
    response = admin_client.get(path)
    assert (response.status_code, response.json()) == (
        404,
        {"code": "not_found", "message": "Not found.", "field": None},
    )
    with schema_context(alpha.schema):
        _, raw = api_key_create(actor=alpha.admin, name="ERP", scopes=["read"])
    keyed = alpha.client().get(path, HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert keyed.status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/company", "/api/v1/company/members"])
def test_anonymous_gets_401_and_other_tenants_do_not_know_the_buyer(alpha, beta, x, path):
    assert alpha.client().get(path).status_code == 401
    failed = beta.client().post(
        "/login/", {"email": "x-buyer@buyer.test", "password": "Correct-Horse-Battery-42"}
    )
    assert failed.status_code == 400


def test_the_schema_documents_both_endpoints(alpha):
    schema = (
        alpha.client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    )
    assert schema["paths"]["/api/v1/company"]["get"]["operationId"] == "company_retrieve"
    assert (
        schema["paths"]["/api/v1/company/members"]["get"]["operationId"] == "company_members_list"
    )
    assert set(schema["paths"]["/api/v1/company"]["get"]["responses"]) == {"200", "404"}
