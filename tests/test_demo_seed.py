"""The demo seed (``make run``): two suppliers with a catalogue, price lists, companies, teams
and contract prices; idempotent; the printed buyer login works and shows a contract price."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.catalog.models import Category, ImportJob, Product, ProductImage, StockLevel
from commerce.customers.models import Company, CostCentre, Invitation, Membership
from commerce.ordering.models import Carrier, Order, RequisitionList, Shipment
from commerce.pricing.models import ContractPrice, PriceList, PriceListItem
from control_plane.demo import DEMO_PASSWORD, DEMO_SUPPLIERS, seed_demo
from control_plane.demo_trades import TRADES
from tenants.models import Tenant
from tenants.services import host_for

PRODUCTS = 40


def _counts() -> dict[str, Any]:
    return {
        "products": Product.objects.count(),
        "categories": Category.objects.count(),
        "leaf categories with products": Category.objects.filter(products__isnull=False)
        .distinct()
        .count(),
        "pictures": ProductImage.objects.count(),
        "warehouses with stock": StockLevel.objects.values("warehouse").distinct().count(),
        "price lists": sorted(PriceList.objects.values_list("name", flat=True)),
        "default list": PriceList.objects.get(is_default=True).name,
        "breaks": PriceListItem.objects.filter(min_quantity__gt=1).exists(),
        "companies": Company.objects.count(),
        "companies on hold": Company.objects.filter(status="on_hold").count(),
        "restricted companies": Company.objects.filter(assortment_restricted=True).count(),
        "cost centres": CostCentre.objects.count() > 8,
        "members": Membership.objects.count(),
        "roles": sorted(set(Membership.objects.values_list("role", flat=True))),
        "approver limits": sorted(
            {
                str(v)
                for v in Membership.objects.filter(role="approver").values_list(
                    "approval_limit", flat=True
                )
            }
        ),
        "pending invitations": Invitation.objects.filter(accepted_at__isnull=True).count(),
        "imports done": ImportJob.objects.filter(status="done").count(),
        "contract prices": ContractPrice.objects.count(),
        "carriers": Carrier.objects.count(),
        "lists": RequisitionList.objects.count(),
        "order states": sorted(Order.objects.values_list("process_state", flat=True)),
        "shipments with tracking links": Shipment.objects.exclude(tracking_url="").count(),
    }


def _expected(demo: Any) -> dict[str, Any]:
    people = [p for c in demo.companies for p in c.team]
    return {
        "members": sum(p.accepted for p in people),
        "pending invitations": sum(not p.accepted for p in people),
        "contract prices": sum(c.contracts for c in demo.companies),
        "companies": len(demo.companies),
    }


@pytest.mark.django_db
def test_seed_demo_builds_two_realistic_suppliers_once(settings: Any, tmp_path: Any) -> None:
    # given an empty platform (the session's alpha and beta tenants aside)
    settings.MEDIA_ROOT = tmp_path

    # when the demo is seeded twice
    assert seed_demo(products_per_supplier=PRODUCTS) == ["northwind", "helio"]
    first = {}
    for demo in DEMO_SUPPLIERS:
        with schema_context(Tenant.objects.get(slug=demo.subdomain).schema_name):
            first[demo.subdomain] = _counts()
    assert seed_demo(products_per_supplier=PRODUCTS) == []

    # then each supplier has its catalogue, lists, companies and teams, and nothing doubled
    for demo in DEMO_SUPPLIERS:
        with schema_context(Tenant.objects.get(slug=demo.subdomain).schema_name):
            counts = _counts()
            assert AuditEntry.objects.filter(action="catalog.import_applied").count() == 3
        assert counts == first[demo.subdomain]
        assert counts["products"] == PRODUCTS
        assert counts["pictures"] == PRODUCTS
        assert counts["leaf categories with products"] == len(TRADES[demo.subdomain].leaves)
        assert counts["warehouses with stock"] == 2
        assert counts["price lists"] == sorted(p.name for p in demo.lists)
        assert counts["default list"] == "Standard"
        assert counts["breaks"] is True
        assert counts["companies on hold"] == 1
        assert counts["restricted companies"] == 1
        assert counts["cost centres"] is True
        assert counts["roles"] == ["approver", "buyer", "company_admin", "viewer"]
        assert counts["approver limits"] == ["2500.00", "5000.00"]
        assert counts["imports done"] == 3
        assert counts["carriers"] == 3
        assert counts["lists"] == 1
        assert counts["order states"] == [
            "awaiting_approval",
            "cancelled",
            "confirmed",
            "delivered",
            "in_dispatch",
        ]
        assert counts["shipments with tracking links"] == 2
        assert {k: counts[k] for k in _expected(demo)} == _expected(demo)
        assert counts["contract prices"] == 6 if demo.subdomain == "helio" else 8


@pytest.mark.django_db
@pytest.mark.parametrize("subdomain", ["northwind", "helio"])
def test_the_printed_buyer_login_sees_contract_prices_in_the_catalogue(
    settings: Any, tmp_path: Any, subdomain: str
) -> None:
    # given the seeded demo
    settings.MEDIA_ROOT = tmp_path
    seed_demo(products_per_supplier=PRODUCTS)
    demo = next(d for d in DEMO_SUPPLIERS if d.subdomain == subdomain)
    buyer = f"buyer@{demo.showcase.domain}"
    client = Client(HTTP_HOST=host_for(subdomain))

    # when the showcase company's buyer signs in with the printed password and opens /catalogue/
    login = client.post("/login/", {"email": buyer, "password": DEMO_PASSWORD})
    page = client.get("/catalogue/")

    # then the first page shows their contract prices (one ends within ten days) and pictures
    assert login.status_code == 302
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("Contract price until") >= 2
    assert "/media/" in html
    with schema_context(Tenant.objects.get(slug=subdomain).schema_name):
        company = Company.objects.get(name=demo.showcase.name)
        assert ContractPrice.objects.filter(company=company).count() == demo.showcase.contracts
