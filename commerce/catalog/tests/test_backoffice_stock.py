"""Warehouses (create, edit, deactivate) and on-hand stock per product × warehouse."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.catalog.models import StockLevel, Warehouse
from commerce.catalog.services import warehouse_create
from core.errors import PermissionDenied
from tests.factories import ProductFactory, StockLevelFactory


def levels():
    return sorted(
        StockLevel.objects.values_list("product__sku", "warehouse__code", "on_hand", "reserved")
    )


def test_warehouse_create_edit_and_deactivate(alpha, admin_client):
    assert (
        admin_client.post(
            "/backoffice/catalogue/warehouses/", {"code": "AMS1", "name": "Amsterdam"}
        ).status_code
        == 302
    )
    with schema_context(alpha.schema):
        warehouse = Warehouse.objects.get(code="AMS1")
    response = admin_client.post(
        f"/backoffice/catalogue/warehouses/{warehouse.public_id}/",
        {"code": "AMS1", "name": "Amsterdam North"},
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        warehouse.refresh_from_db()
        assert (warehouse.name, warehouse.active) == ("Amsterdam North", False)
        entry = AuditEntry.objects.get(action="catalog.warehouse_changed")
        assert entry.changes == {"name": ["Amsterdam", "Amsterdam North"], "active": [True, False]}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "ams1", "name": "Again"}, "code", "There is already a warehouse with code ams1."),
        (
            {"code": "A B", "name": "Space"},
            "code",
            "Warehouse codes are 1–32 letters, digits, - or _, starting with a letter or digit.",
        ),
    ],
)
def test_bad_warehouses_are_refused(alpha, admin, admin_client, data, field, message):
    with schema_context(alpha.schema):
        warehouse_create(actor=admin, code="AMS1", name="Amsterdam")
    response = admin_client.post("/backoffice/catalogue/warehouses/", data)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    with schema_context(alpha.schema):
        assert list(Warehouse.objects.values_list("code", flat=True)) == ["AMS1"]


def test_stock_is_set_per_warehouse(alpha, admin, admin_client):
    with schema_context(alpha.schema):
        product = ProductFactory(sku="S-1")
        ams = warehouse_create(actor=admin, code="AMS", name="Amsterdam")
        rtm = warehouse_create(actor=admin, code="RTM", name="Rotterdam")
        StockLevelFactory(product=product, warehouse=rtm, on_hand=10, reserved=4)
    url = f"/backoffice/catalogue/products/{product.public_id}/stock"
    response = admin_client.post(
        url, {f"stock_{ams.public_id}": "25", f"stock_{rtm.public_id}": "6"}
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        assert levels() == [("S-1", "AMS", 25, 0), ("S-1", "RTM", 6, 4)]
        assert AuditEntry.objects.get(action="catalog.stock_set").changes == {
            "AMS": [0, 25],
            "RTM": [10, 6],
        }


@pytest.mark.parametrize(
    ("rtm", "message"),
    [
        ("2.5", "On-hand quantity must be a whole number, got 2.5"),
        ("-1", "On-hand quantity must be at least 0, got -1"),
        (
            "3",
            "On-hand quantity in RTM cannot go below the 4 units reserved for open orders, got 3",
        ),
    ],
)
def test_bad_stock_is_refused_and_nothing_changes(alpha, admin, admin_client, rtm, message):
    with schema_context(alpha.schema):
        product = ProductFactory(sku="S-1")
        ams = warehouse_create(actor=admin, code="AMS", name="Amsterdam")
        rtm_wh = warehouse_create(actor=admin, code="RTM", name="Rotterdam")
        StockLevelFactory(product=product, warehouse=rtm_wh, on_hand=10, reserved=4)
        before = levels()
    response = admin_client.post(
        f"/backoffice/catalogue/products/{product.public_id}/stock",
        {f"stock_{ams.public_id}": "25", f"stock_{rtm_wh.public_id}": rtm},
    )
    assert response.status_code == 400
    assert response.context["stock_form"].errors[f"stock_{rtm_wh.public_id}"] == [message]
    with schema_context(alpha.schema):
        assert levels() == before
        assert not AuditEntry.objects.filter(action="catalog.stock_set").exists()


def test_other_staff_cannot_create_warehouses(alpha, validator, validator_client):
    assert validator_client.get("/backoffice/catalogue/warehouses/").status_code == 200
    response = validator_client.post(
        "/backoffice/catalogue/warehouses/", {"code": "X", "name": "X"}
    )
    assert response.status_code == 403
    with schema_context(alpha.schema):
        assert not Warehouse.objects.exists()
        with pytest.raises(PermissionDenied, match="Only administrators and account managers"):
            warehouse_create(actor=validator, code="X", name="X")
