"""Fixtures of the ordering suites: two buyer companies in alpha (net terms, an address and a
cost centre each) with a buyer, an approver and a company admin; stocked products; staff by
role; a carrier; and ``place`` to put a cart through checkout."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from commerce.customers.choices import MemberRole, PaymentTerms
from commerce.ordering.services import CheckoutInput, cart_add, order_place
from conftest import TEST_PASSWORD
from tests.factories import (
    CarrierFactory,
    CompanyFactory,
    CostCentreFactory,
    DeliveryAddressFactory,
    MembershipFactory,
    ProductFactory,
    StockLevelFactory,
    UserFactory,
    WarehouseFactory,
)


def login(client: Client, email: str) -> Client:
    response = client.post("/login/", {"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]
    return client


@dataclass
class Buyers:
    company: Any
    address: Any
    cost_centre: Any
    buyer: Any  # User (role buyer)
    approver: Any  # User (role approver, limit 5,000)
    admin: Any  # User (company admin)
    viewer: Any  # User (viewer)


def make_buyers(name: str, prefix: str) -> Buyers:
    company = CompanyFactory(
        name=name, payment_terms=PaymentTerms.NET, net_days=30, credit_limit=Decimal("10000")
    )

    def member(role: str, suffix: str, **extra: Any) -> Any:
        user = UserFactory(email=f"{prefix}-{suffix}@buyer.test", full_name=f"{name} {suffix}")
        MembershipFactory(company=company, user=user, role=role, **extra)
        return user

    return Buyers(
        company=company,
        address=DeliveryAddressFactory(company=company, label="Main site", is_default=True),
        cost_centre=CostCentreFactory(company=company, code="MAINT"),
        buyer=member(MemberRole.BUYER, "buyer"),
        approver=member(MemberRole.APPROVER, "approver", approval_limit=Decimal("5000")),
        admin=member(MemberRole.COMPANY_ADMIN, "admin"),
        viewer=member(MemberRole.VIEWER, "viewer"),
    )


@pytest.fixture
def x(alpha) -> Buyers:
    with schema_context(alpha.schema):
        return make_buyers("Xylo GmbH", "x")


@pytest.fixture
def y(alpha) -> Buyers:
    with schema_context(alpha.schema):
        return make_buyers("Yarrow BV", "y")


@pytest.fixture
def products(alpha) -> dict[str, Any]:
    """BOLT (10.00, 100 in stock), NUT (2.50, MOQ 10, multiples of 5, pallet 100, 40 in stock),
    GLUE (7.00, none in stock, ships in 5 days)."""
    with schema_context(alpha.schema):
        warehouse = WarehouseFactory(code="MAIN")
        bolt = ProductFactory(sku="BOLT", name="Hex bolt M8", list_price=Decimal("10.00"))
        nut = ProductFactory(
            sku="NUT",
            name="Lock nut M8",
            list_price=Decimal("2.50"),
            min_order_qty=10,
            order_multiple=5,
            pallet_quantity=100,
        )
        glue = ProductFactory(
            sku="GLUE", name="Thread glue", list_price=Decimal("7.00"), lead_time_days=5
        )
        StockLevelFactory(product=bolt, warehouse=warehouse, on_hand=100)
        StockLevelFactory(product=nut, warehouse=warehouse, on_hand=40)
        return {"BOLT": bolt, "NUT": nut, "GLUE": glue, "warehouse": warehouse}


@pytest.fixture
def staff(alpha) -> dict[str, Any]:
    with schema_context(alpha.schema):
        return {
            "administrator": alpha.admin,
            **{
                role: UserFactory(
                    email=f"{role}@alpha.test", kind="staff", staff_role=role, full_name=role
                )
                for role in ("account_manager", "validator", "dispatcher", "finance")
            },
        }


@pytest.fixture
def carrier(alpha) -> Any:
    with schema_context(alpha.schema):
        return CarrierFactory(name="DHL", tracking_url_template="https://dhl.example/t/{tracking}")


def place(buyers: Buyers, user: Any, lines: dict[Any, int], **checkout: Any) -> Any:
    """Fill ``user``'s cart with ``lines`` (product → quantity) and place it (in the current
    schema)."""
    for product, quantity in lines.items():
        cart_add(actor=user, product_id=product.public_id, quantity=quantity)
    data = {"delivery_address": str(buyers.address.public_id), **checkout}
    return order_place(actor=user, data=CheckoutInput(**data))
