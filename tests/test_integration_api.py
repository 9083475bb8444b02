"""The integration API: the supplier's systems push products, stock, prices, companies and
contract prices with an API key; batches are all-or-nothing and safe to resend."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from api.services import api_key_create
from audit.models import AuditEntry
from commerce.catalog.models import Product, StockLevel
from commerce.customers.models import Company
from commerce.pricing.models import ContractPrice, PriceList, PriceListItem
from conftest import TEST_PASSWORD
from tests.factories import PriceListFactory, ProductFactory, WarehouseFactory


@pytest.fixture
def erp(alpha):
    with schema_context(alpha.schema):
        _, raw = api_key_create(actor=alpha.admin, name="ERP", scopes=["integration"])
    client = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Api-Key {raw}")

    def post(path, items):
        return client.post(
            f"/api/v1/integration/{path}",
            json.dumps({"items": items}),
            content_type="application/json",
        )

    return post


PRODUCTS = [
    {
        "sku": "M8-40",
        "name": "Hex bolt M8x40",
        "pack_size": 100,
        "list_price": 0.12,
        "external_ref": "ERP-1",
        "attributes": {"Material": "Steel"},
    },
    {
        "sku": "M8-NUT",
        "name": "Hex nut M8",
        "pack_size": 200,
        "list_price": 0.03,
        "external_ref": "ERP-2",
        "attributes": {},
    },
]


def test_products_are_created_then_unchanged_then_updated(erp, alpha):
    assert erp("products", PRODUCTS).json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert erp("products", PRODUCTS).json() == {"created": 0, "updated": 0, "unchanged": 2}
    changed = [{**PRODUCTS[0], "name": "Hex bolt M8x40 zinc"}, PRODUCTS[1]]
    assert erp("products", changed).json() == {"created": 0, "updated": 1, "unchanged": 1}
    with schema_context(alpha.schema):
        bolt = Product.objects.get(sku="M8-40")
        assert (bolt.name, bolt.list_price, bolt.pack_size, bolt.attributes) == (
            "Hex bolt M8x40 zinc",
            Decimal("0.1200"),
            100,
            {"Material": "Steel"},
        )
        assert AuditEntry.objects.filter(action="integration.upserted").count() == 3


def test_a_batch_with_one_bad_item_changes_nothing_and_names_each_problem(erp, alpha):
    items = [
        PRODUCTS[0],
        {**PRODUCTS[1], "pack_size": 0},
        {**PRODUCTS[1], "sku": "X 1", "external_ref": "ERP-3"},
    ]
    response = erp("products", items)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "batch_refused"
    assert body["problems"] == [
        {
            "index": 1,
            "field": "pack_size",
            "message": "Ensure this value is greater than or equal to 1.",
        },
    ]
    items[1] = PRODUCTS[1]
    second = erp("products", items).json()
    assert second["problems"] == [
        {
            "index": 2,
            "field": "sku",
            "message": "SKU X 1 may only contain letters, digits and . _ / - (no spaces), "
            "starting with a letter or digit",
        }
    ]
    with schema_context(alpha.schema):
        assert not Product.objects.exists()


def test_stock_and_price_lists(erp, alpha):
    erp("products", PRODUCTS)
    with schema_context(alpha.schema):
        WarehouseFactory(code="MAIN")
    refused = erp("stock", [{"sku": "M8-40", "warehouse": "NOPE", "on_hand": 5}])
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["index"] == 0
    assert refused.json()["problems"][0]["field"] == "warehouse"
    assert erp("stock", [{"sku": "M8-40", "warehouse": "MAIN", "on_hand": 5}]).json() == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
    }
    prices = [
        {"price_list": "Gold", "sku": "M8-40", "min_quantity": 1, "unit_price": 0.1},
        {"price_list": "Gold", "sku": "M8-40", "min_quantity": 1000, "unit_price": 0.085},
    ]
    assert erp("price-lists", prices).json() == {"created": 2, "updated": 0, "unchanged": 0}
    with schema_context(alpha.schema):
        assert StockLevel.objects.get().on_hand == 5
        gold = PriceList.objects.get(name="Gold")
        assert list(
            PriceListItem.objects.filter(price_list=gold).values_list("min_quantity", "unit_price")
        ) == [(1, Decimal("0.1000")), (1000, Decimal("0.0850"))]


COMPANY = {
    "external_ref": "C-100",
    "name": "Kessler Bau GmbH",
    "vat_id": "DE123456789",
    "billing_line1": "Lindenstraße 4",
    "billing_postcode": "10969",
    "billing_city": "Berlin",
    "billing_country": "DE",
    "payment_terms": "net",
    "net_days": 30,
    "credit_limit": 25000,
    "price_lists": ["PL-GOLD"],
}


def test_companies_by_external_reference(erp, alpha):
    with schema_context(alpha.schema):
        PriceListFactory(name="Gold", external_ref="PL-GOLD")
    assert erp("companies", [COMPANY]).json() == {"created": 1, "updated": 0, "unchanged": 0}
    assert erp("companies", [COMPANY]).json() == {"created": 0, "updated": 0, "unchanged": 1}
    assert erp("companies", [{**COMPANY, "credit_limit": 30000}]).json() == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
    }
    with schema_context(alpha.schema):
        company = Company.objects.get(external_ref="C-100")
        assert (company.credit_limit, company.net_days) == (Decimal("30000.00"), 30)
        assert list(company.price_lists.values_list("name", flat=True)) == ["Gold"]


def test_bad_companies_are_refused_with_their_problems(erp, alpha):
    with schema_context(alpha.schema):
        PriceListFactory(name="Gold", external_ref="PL-GOLD")
    bad = [
        {**COMPANY, "vat_id": "DE12"},
        {**COMPANY, "external_ref": "C-101", "price_lists": ["NOPE"]},
    ]
    response = erp("companies", bad)
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert problems[0]["index"] == 0 and problems[0]["field"] == "vat_id"
    assert problems[1] == {
        "index": 1,
        "field": "price_lists",
        "message": "No price list has the external reference NOPE.",
    }
    with schema_context(alpha.schema):
        assert not Company.objects.exists()


def test_contract_prices(erp, alpha):
    with schema_context(alpha.schema):
        PriceListFactory(name="Gold", external_ref="PL-GOLD")
        ProductFactory(sku="M8-40")
    erp("companies", [COMPANY])
    contract = {
        "external_ref": "K-1",
        "company": "C-100",
        "sku": "M8-40",
        "unit_price": 0.095,
        "valid_from": "2026-01-01",
        "valid_to": "2027-03-31",
    }
    assert erp("contract-prices", [contract]).json()["created"] == 1
    assert erp("contract-prices", [contract]).json()["unchanged"] == 1
    overlapping = {**contract, "external_ref": "K-2", "valid_from": "2027-03-01", "valid_to": None}
    refused = erp(
        "contract-prices", [overlapping, {**contract, "external_ref": "K-3", "company": "C-404"}]
    )
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["problems"]] == ["valid_from", "company"]
    with schema_context(alpha.schema):
        stored = ContractPrice.objects.get()
        assert (stored.unit_price, stored.valid_to) == (Decimal("0.0950"), date(2027, 3, 31))


def test_only_an_integration_key_may_push(alpha, beta):
    with schema_context(alpha.schema):
        _, read_key = api_key_create(actor=alpha.admin, name="Reader", scopes=["read"])
        _, alpha_key = api_key_create(actor=alpha.admin, name="ERP", scopes=["integration"])
    body = json.dumps({"items": PRODUCTS})
    read = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Api-Key {read_key}")
    assert (
        read.post("/api/v1/integration/products", body, content_type="application/json").status_code
        == 403
    )
    session = alpha.client()
    session.post("/login/", {"email": "admin@alpha.test", "password": TEST_PASSWORD})
    assert (
        session.post(
            "/api/v1/integration/products", body, content_type="application/json"
        ).status_code
        == 403
    )
    other = Client(HTTP_HOST=beta.host, HTTP_AUTHORIZATION=f"Api-Key {alpha_key}")
    assert (
        other.post(
            "/api/v1/integration/products", body, content_type="application/json"
        ).status_code
        == 401
    )
    anonymous = Client(HTTP_HOST=alpha.host)
    assert (
        anonymous.post(
            "/api/v1/integration/products", body, content_type="application/json"
        ).status_code
        == 401
    )
    with schema_context(alpha.schema):
        assert not Product.objects.exists()
