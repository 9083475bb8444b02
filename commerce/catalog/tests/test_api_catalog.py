"""The buyer catalogue API: who may call it, the same visibility and prices as the pages,
errors as JSON, and a fixed number of queries for the list."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from openapi_spec_validator import validate

from api.services import api_key_create
from commerce.catalog.tests.test_portal_catalogue import (
    ACME_BUYER,
    BRAVO_BUYER,
    CAROL_BUYER,
    NOT_PRICED,
    _stock_products,
    build_shop,
    signed_in,
)
from tests.factories import ProductFactory

LIST = "/api/v1/catalogue/products"
CATEGORIES = "/api/v1/catalogue/categories"
NOT_FOUND = {"code": "not_found", "message": "Not found.", "field": None}


@pytest.fixture
def shop(alpha):
    with schema_context(alpha.schema):
        return build_shop()


def detail_url(product) -> str:
    return f"/api/v1/catalogue/products/{product.public_id}"


def api_skus(response) -> list[str]:
    return [item["sku"] for item in response.json()["results"]]


# --- who may call --------------------------------------------------------------------------


@pytest.mark.parametrize("path", [LIST, CATEGORIES])
def test_anonymous_callers_get_401_json(alpha, shop, path):
    response = Client(HTTP_HOST=alpha.host).get(path)
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "field": None,
    }
    assert Client(HTTP_HOST=alpha.host).get(detail_url(shop.bolt)).status_code == 401


def test_an_integration_api_key_is_refused_with_a_pointer_to_the_integration_api(alpha, shop):
    with schema_context(alpha.schema):
        _, raw = api_key_create(actor=alpha.admin, name="ERP", scopes=["read", "integration"])
    client = Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Api-Key {raw}")
    for path in (LIST, CATEGORIES, detail_url(shop.bolt)):
        response = client.get(path)
        assert response.status_code == 403
        assert response.json() == {
            "code": "permission_denied",
            "message": "The buyer catalogue answers buyers signed in to the portal: prices "
            "depend on the buyer's company. Integrations use /api/v1/integration/.",
            "field": None,
        }


def test_supplier_staff_sessions_get_not_found(alpha, shop):
    client = signed_in(alpha, "admin@alpha.test")
    for path in (LIST, CATEGORIES, detail_url(shop.bolt)):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND


# --- list --------------------------------------------------------------------------------------


def test_the_list_is_priced_for_the_callers_company(alpha, shop):
    response = signed_in(alpha, ACME_BUYER).get(LIST)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], body["pages"], body["next"], body["previous"]) == (
        5,
        1,
        1,
        None,
        None,
    )
    assert api_skus(response) == ["DRL-100", "GSK-001", "WSH-0042", "M8-40", "M8-40-ZN"]
    by_sku = {item["sku"]: item for item in body["results"]}
    assert by_sku["M8-40"] == {
        "id": str(shop.bolt.public_id),
        "sku": "M8-40",
        "name": "Hex bolt M8 x 40",
        "unit": "pcs",
        "thumbnail_url": "",
        "price": {
            "unit_price": "0.1800",
            "currency": "EUR",
            "source": "contract",
            "reason": "Contract price until 31 Mar 2099",
            "valid_to": "2099-03-31",
            "orderable": True,
        },
        "availability": {"code": "in_stock", "label": "In stock", "quantity": None},
    }
    assert by_sku["GSK-001"]["price"] == {
        "unit_price": None,
        "currency": "EUR",
        "source": "none",
        "reason": NOT_PRICED,
        "valid_to": None,
        "orderable": False,
    }
    assert {sku: item["availability"] for sku, item in by_sku.items()} == {
        "DRL-100": {"code": "lead_time", "label": "Ships in 5 days", "quantity": None},
        "GSK-001": {"code": "not_available", "label": "Not available", "quantity": None},
        "WSH-0042": {"code": "out_of_stock", "label": "Out of stock", "quantity": None},
        "M8-40": {"code": "in_stock", "label": "In stock", "quantity": None},
        "M8-40-ZN": {"code": "low_stock", "label": "12 left", "quantity": 12},
    }


def test_another_company_never_sees_the_contract_price(alpha, shop):
    response = signed_in(alpha, BRAVO_BUYER).get(LIST)
    prices = {
        i["sku"]: (i["price"]["unit_price"], i["price"]["reason"])
        for i in response.json()["results"]
    }
    assert prices == {
        "DRL-100": ("89.9000", "List price"),
        "GSK-001": (None, NOT_PRICED),
        "WSH-0042": ("0.0900", "Your price list “Trade”"),
        "M8-40": ("0.2500", "List price"),
        "M8-40-ZN": ("0.3000", "List price"),
    }
    assert "0.1800" not in response.content.decode()
    detail = signed_in(alpha, BRAVO_BUYER).get(detail_url(shop.bolt))
    assert detail.json()["price"]["unit_price"] == "0.2500"
    assert "Contract" not in detail.content.decode()


def test_search_filters_and_sort_use_the_same_rules_as_the_page(alpha, shop):
    client = signed_in(alpha, ACME_BUYER)
    assert api_skus(client.get(LIST, {"search": "m8-40"})) == ["M8-40", "M8-40-ZN", "WSH-0042"]
    assert api_skus(client.get(LIST, {"search": "0042"})) == ["WSH-0042"]
    assert api_skus(client.get(LIST, {"search": "galvanised"})) == ["DRL-100"]
    assert api_skus(client.get(LIST, {"category": str(shop.bolts.public_id)})) == [
        "M8-40",
        "M8-40-ZN",
    ]
    assert api_skus(client.get(LIST, {"in_stock": "true"})) == ["M8-40", "M8-40-ZN"]
    assert api_skus(client.get(LIST, {"sort": "sku"})) == [
        "DRL-100",
        "GSK-001",
        "M8-40",
        "M8-40-ZN",
        "WSH-0042",
    ]
    empty = client.get(LIST, {"search": "xylophone"}).json()
    assert (empty["count"], empty["pages"], empty["results"]) == (0, 1, [])


def test_the_list_pages_by_50_with_links(alpha, shop):
    with schema_context(alpha.schema):
        for n in range(55):
            ProductFactory(sku=f"SCR-{n:03d}", name=f"Screw {n:03d}")
    client = signed_in(alpha, ACME_BUYER)
    first = client.get(LIST, {"search": "screw", "sort": "sku"}).json()
    assert (first["count"], first["pages"], len(first["results"])) == (55, 2, 50)
    assert first["next"] == f"http://{alpha.host}{LIST}?search=screw&sort=sku&page=2"
    assert first["previous"] is None
    second = client.get(LIST, {"search": "screw", "sort": "sku", "page": 2}).json()
    assert [i["sku"] for i in second["results"]] == [f"SCR-{n:03d}" for n in range(50, 55)]
    assert second["previous"] == f"http://{alpha.host}{LIST}?search=screw&sort=sku&page=1"
    beyond = client.get(LIST, {"search": "screw", "page": 3})
    assert beyond.status_code == 404
    assert beyond.json() == {
        "code": "not_found",
        "message": "There is no page 3: the last page is 2.",
        "field": None,
    }


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"page": "0"}, "invalid", "page"),
        ({"page": "abc"}, "invalid", "page"),
        ({"category": "not-a-uuid"}, "invalid", "category"),
        ({"category": "00000000-0000-0000-0000-000000000000"}, "unknown_category", "category"),
        ({"sort": "price"}, "invalid", "sort"),
        ({"search": "x" * 101}, "invalid", "search"),
    ],
)
def test_bad_parameters_get_a_422_naming_the_field(alpha, shop, params, code, field):
    response = signed_in(alpha, ACME_BUYER).get(LIST, params)
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"]


# --- detail ------------------------------------------------------------------------------------


def test_the_detail_carries_rules_price_breaks_and_availability(alpha, shop):
    client = signed_in(alpha, BRAVO_BUYER)
    body = client.get(detail_url(shop.washer), {"quantity": 150}).json()
    assert body == {
        "id": str(shop.washer.public_id),
        "sku": "WSH-0042",
        "name": "Flat washer 8 mm",
        "description": "Fits M8-40 bolts. Stainless steel.",
        "category": {"id": str(shop.fasteners.public_id), "name": "Fasteners"},
        "unit": "pcs",
        "pack_size": 1,
        "pallet_quantity": None,
        "min_order_qty": 1,
        "order_multiple": 1,
        "lead_time_days": 0,
        "attributes": {},
        "images": [],
        "price": {
            "unit_price": "0.0750",
            "currency": "EUR",
            "source": "price_list",
            "reason": "Volume price from 100 pcs",
            "valid_to": None,
            "orderable": True,
            "quantity": 150,
        },
        "breaks": [
            {"min_quantity": 1, "unit_price": "0.0900", "applicable": False},
            {"min_quantity": 100, "unit_price": "0.0750", "applicable": True},
        ],
        "availability": {"code": "out_of_stock", "label": "Out of stock", "quantity": None},
    }
    default = client.get(detail_url(shop.washer)).json()
    assert default["price"]["quantity"] == 1
    assert [b["applicable"] for b in default["breaks"]] == [True, False]
    bad = client.get(detail_url(shop.washer), {"quantity": "0"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "quantity"


def test_the_detail_of_a_contract_product_is_quoted_at_its_minimum_order(alpha, shop):
    body = signed_in(alpha, ACME_BUYER).get(detail_url(shop.bolt)).json()
    assert body["price"]["quantity"] == 100
    assert body["price"]["reason"] == "Contract price until 31 Mar 2099"
    assert body["attributes"] == {"Length": "40 mm", "Thread": "M8"}
    assert (body["pack_size"], body["pallet_quantity"], body["order_multiple"]) == (50, 20000, 50)


# --- visibility ----------------------------------------------------------------------------------


def test_a_restricted_company_sees_only_its_assortment(alpha, shop):
    client = signed_in(alpha, CAROL_BUYER)
    assert api_skus(client.get(LIST)) == ["WSH-0042", "M8-40"]
    assert api_skus(client.get(LIST, {"search": "drill"})) == []
    response = client.get(detail_url(shop.drill))
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert client.get(detail_url(shop.washer)).status_code == 200


def test_inactive_and_other_tenants_products_are_not_found(alpha, beta, shop):
    with schema_context(beta.schema):
        foreign = ProductFactory(sku="BETA-1")
    client = signed_in(alpha, ACME_BUYER)
    for product in (shop.old, foreign):
        response = client.get(detail_url(product))
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert "M8-40-OLD" not in api_skus(client.get(LIST, {"search": "old"}))


# --- categories ----------------------------------------------------------------------------------


def test_the_category_tree(alpha, shop):
    body = signed_in(alpha, ACME_BUYER).get(CATEGORIES).json()

    def node(category, children):
        return {
            "id": str(category.public_id),
            "name": category.name,
            "slug": category.slug,
            "children": children,
        }

    assert body == {
        "results": [
            node(shop.fasteners, [node(shop.bolts, [node(shop.hex_bolts, [])])]),
            node(shop.tools, []),
        ]
    }


# --- queries and schema --------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 50])
def test_the_list_runs_a_fixed_number_of_queries(alpha, shop, count):
    with schema_context(alpha.schema):
        _stock_products(count, shop.acme)
    client = signed_in(alpha, ACME_BUYER)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"search": "query", "sort": "sku"})
    results = response.json()["results"]
    assert len(results) == count
    assert results[0]["thumbnail_url"] == f"/media/tenants/{alpha.schema}/catalog/0/0-t.jpg"
    # session, user, membership, company, settings ×2, COUNT, page, pricing ×4.
    assert len(queries) == 7, "\n".join(q["sql"][:90] for q in queries)


def test_the_endpoints_are_in_the_openapi_schema(alpha):
    schema = (
        Client(HTTP_HOST=alpha.host)
        .get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()
    )
    validate(schema)
    assert {
        "/api/v1/catalogue/products",
        "/api/v1/catalogue/products/{public_id}",
        "/api/v1/catalogue/categories",
    } <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"][LIST]["get"]["parameters"]}
    assert parameters == {"search", "category", "in_stock", "sort", "page"}
    assert "CategoryNodeOutput" in schema["components"]["schemas"]
