"""Products: the page and service refuse each invalid value with its own message and change
nothing; the list searches, filters, paginates in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.catalog.models import Product
from commerce.catalog.services import category_create
from commerce.catalog.tests.support_backoffice import client_for
from tests.factories import ProductFactory, StockLevelFactory, WarehouseFactory

FORM = {
    "sku": "BOLT-M8",
    "name": "Hex bolt M8",
    "description": "Zinc plated.",
    "category": "",
    "unit": "pcs",
    "pack_size": "50",
    "pallet_quantity": "4000",
    "min_order_qty": "100",
    "order_multiple": "50",
    "lead_time_days": "3",
    "list_price": "12,50",
    "attributes": "Material: steel\nFinish: zinc",
    "external_ref": "ERP-1",
    "active": "on",
}


def product_rows():
    return list(
        Product.objects.order_by("sku").values_list("sku", "name", "pack_size", "list_price")
    )


def test_admin_creates_a_product_with_every_field(alpha, admin_client):
    with schema_context(alpha.schema):
        category = category_create(actor=alpha.admin, name="Bolts")
    response = admin_client.post(
        "/backoffice/catalogue/products/new", {**FORM, "category": str(category.public_id)}
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        p = Product.objects.get(sku="BOLT-M8")
        assert response["Location"] == f"/backoffice/catalogue/products/{p.public_id}/"
        assert (
            p.name,
            p.category_id,
            p.unit,
            p.pack_size,
            p.pallet_quantity,
            p.min_order_qty,
            p.order_multiple,
            p.lead_time_days,
            p.list_price,
            p.attributes,
            p.active,
            p.external_ref,
        ) == (
            "Hex bolt M8",
            category.pk,
            "pcs",
            50,
            4000,
            100,
            50,
            3,
            Decimal("12.5000"),
            {"Material": "steel", "Finish": "zinc"},
            True,
            "ERP-1",
        )
        entry = AuditEntry.objects.get(action="catalog.product_created")
        assert entry.changes["sku"] == [None, "BOLT-M8"]
        assert entry.changes["list_price"] == [None, "12.5000"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"pack_size": "2.5"}, "pack_size", "Pack size must be a whole number, got 2.5"),
        ({"pack_size": "0"}, "pack_size", "Pack size must be at least 1, got 0"),
        ({"order_multiple": "x"}, "order_multiple", "Order multiple must be a whole number, got x"),
        (
            {"pallet_quantity": "-4"},
            "pallet_quantity",
            "Pallet quantity must be at least 1, got -4",
        ),
        (
            {"min_order_qty": "10", "order_multiple": "4"},
            "min_order_qty",
            "Minimum order quantity 10 must be a multiple of the order multiple 4 (for example 8 or 12)",
        ),
        (
            {"lead_time_days": "400"},
            "lead_time_days",
            "Lead time must be between 0 and 365 days, got 400",
        ),
        (
            {"list_price": "12.5.0"},
            "list_price",
            "List price must be an amount like 12.50, got 12.5.0",
        ),
        ({"list_price": "-1"}, "list_price", "List price must not be negative, got -1"),
        (
            {"list_price": "1.23456"},
            "list_price",
            "List price has more than 4 decimal places, got 1.23456",
        ),
        (
            {"sku": "BOLT M8"},
            "sku",
            "SKU BOLT M8 may only contain letters, digits and . _ / - (no spaces), "
            "starting with a letter or digit",
        ),
        (
            {"sku": "existing-1"},
            "sku",
            "SKU EXISTING-1 is already used by “Old bolt”; choose another SKU or edit that product",
        ),
        (
            {"attributes": "just words"},
            "attributes",
            "Attributes must be written as name: value, got just words",
        ),
        ({"attributes": "a: 1\nA: 2"}, "attributes", "Attribute A appears twice"),
        (
            {"category": "00000000-0000-0000-0000-000000000000"},
            "category",
            "Select a valid choice. 00000000-0000-0000-0000-000000000000 is not one of the available choices.",
        ),
    ],
)
def test_each_invalid_value_is_refused_with_its_message(
    alpha, admin_client, change, field, message
):
    with schema_context(alpha.schema):
        ProductFactory(sku="EXISTING-1", name="Old bolt")
        before = product_rows()
    response = admin_client.post("/backoffice/catalogue/products/new", {**FORM, **change})
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    with schema_context(alpha.schema):
        assert product_rows() == before
        assert not AuditEntry.objects.filter(action="catalog.product_created").exists()


def test_editing_audits_only_changed_fields(alpha, admin_client):
    with schema_context(alpha.schema):
        product = ProductFactory(sku="P-1", name="Widget", pack_size=1)
    form = {
        **FORM,
        "sku": "P-1",
        "name": "Widget",
        "description": "A sturdy product.",
        "pack_size": "5",
        "pallet_quantity": "",
        "min_order_qty": "5",
        "order_multiple": "5",
        "lead_time_days": "0",
        "list_price": "10",
        "attributes": "",
        "external_ref": "",
    }
    response = admin_client.post(f"/backoffice/catalogue/products/{product.public_id}/", form)
    assert response.status_code == 302
    with schema_context(alpha.schema):
        entry = AuditEntry.objects.get(action="catalog.product_changed")
        assert entry.changes == {
            "pack_size": [1, 5],
            "min_order_qty": [1, 5],
            "order_multiple": [1, 5],
        }


def test_products_list_searches_filters_and_paginates(alpha, admin_client):
    with schema_context(alpha.schema):
        tools = category_create(actor=alpha.admin, name="Tools")
        hammers = category_create(actor=alpha.admin, name="Hammers", parent=tools)
        ProductFactory(sku="HAM-1", name="Claw hammer", category=hammers)
        ProductFactory(sku="HAM-2", name="Sledge", category=hammers, active=False)
        ProductFactory(sku="SAW-1", name="Saw", category=tools)
        ProductFactory(sku="NUT-1", name="Nut")
        for i in range(55):
            ProductFactory(sku=f"ZZ-{i:03d}", name=f"Zz filler {i:03d}")

    def skus(query: str) -> list[str]:
        response = admin_client.get(f"/backoffice/catalogue/products/?{query}")
        return [p.sku for p in response.context["page"]]

    assert skus("q=ham") == ["HAM-1", "HAM-2"]
    assert skus("q=sledge") == ["HAM-2"]
    assert skus(f"category={tools.public_id}") == ["HAM-1", "SAW-1", "HAM-2"]
    assert skus(f"category={hammers.public_id}&active=yes") == ["HAM-1"]
    assert skus("active=no") == ["HAM-2"]
    assert len(skus("")) == 50
    assert skus("q=zz&page=2") == [f"ZZ-{i:03d}" for i in range(50, 55)]


def test_products_list_query_count_does_not_grow(alpha, admin_client):
    def count_for_page() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get("/backoffice/catalogue/products/").status_code == 200
        return len(ctx.captured_queries)

    with schema_context(alpha.schema):
        warehouse = WarehouseFactory()
        StockLevelFactory(product=ProductFactory(), warehouse=warehouse)
    count_for_page()  # warm: routing and theme caches
    few = count_for_page()
    with schema_context(alpha.schema):
        category = category_create(actor=alpha.admin, name="Misc")
        for _ in range(30):
            StockLevelFactory(product=ProductFactory(category=category), warehouse=warehouse)
    assert count_for_page() == few
    assert few <= 12


def test_other_staff_see_products_but_cannot_change_them(alpha, validator_client):
    with schema_context(alpha.schema):
        product = ProductFactory(sku="P-9")
        before = product_rows()
    assert (
        validator_client.get(f"/backoffice/catalogue/products/{product.public_id}/").status_code
        == 200
    )
    assert validator_client.post("/backoffice/catalogue/products/new", FORM).status_code == 403
    assert (
        validator_client.post(
            f"/backoffice/catalogue/products/{product.public_id}/", FORM
        ).status_code
        == 403
    )
    with schema_context(alpha.schema):
        assert product_rows() == before


def test_buyers_and_another_tenant_cannot_open_product_pages(alpha, beta):
    with schema_context(alpha.schema):
        product = ProductFactory(sku="P-7")
    url = f"/backoffice/catalogue/products/{product.public_id}/"
    assert client_for(beta, beta.admin).get(url).status_code == 404
    assert alpha.client().get(url).status_code == 302  # anonymous → login
