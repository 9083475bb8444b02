"""A broad search: the count is capped and results come in name order."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from conftest import TEST_PASSWORD
from tests.factories import MembershipFactory, ProductFactory


@pytest.fixture
def buyer(alpha, monkeypatch):
    monkeypatch.setattr("commerce.catalog.selectors.portal.SEARCH_COUNT_CAP", 3)
    with schema_context(alpha.schema):
        MembershipFactory(user__email="cap@buyer.test")
        for sku, name in (
            ("V-5", "Valve e"),
            ("V-1", "Valve a"),
            ("V-4", "Valve d"),
            ("V-2", "Valve b"),
            ("V-3", "Valve c"),
        ):
            ProductFactory(sku=sku, name=name, description="brass valve body")
        ProductFactory(sku="P-1", name="Pump", description="centrifugal")
    client = alpha.client()
    client.post("/login/", {"email": "cap@buyer.test", "password": TEST_PASSWORD})
    return client


def test_a_broad_search_caps_its_count_and_orders_by_name(buyer):
    page = buyer.get("/catalogue/", {"q": "valve"})
    assert "More than 3 products for “valve”" in page.content.decode()
    body = buyer.get("/api/v1/catalogue/products", {"search": "valve"}).json()
    assert (body["count"], body["count_capped"]) == (3, True)
    # Only the first SEARCH_COUNT_CAP matches are served, in name order.
    assert [item["name"] for item in body["results"]] == ["Valve a", "Valve b", "Valve c"]


def test_a_narrow_search_is_counted_and_ranked(buyer):
    body = buyer.get("/api/v1/catalogue/products", {"search": "V-3"}).json()
    assert (body["count"], body["count_capped"]) == (1, False)
    assert body["results"][0]["sku"] == "V-3"
