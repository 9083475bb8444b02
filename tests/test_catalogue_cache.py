"""The priced catalogue cache: it really serves from the cache, a change reaches buyers at
once, and companies and tenants never read each other's entries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from commerce.catalog.cache import CATALOGUE
from commerce.catalog.models import Product
from commerce.pricing.services import contract_price_create
from conftest import TEST_PASSWORD
from tests.factories import CompanyFactory, MembershipFactory, ProductFactory


@pytest.fixture(autouse=True)
def _cache_on(settings, alpha, beta):
    settings.CATALOGUE_CACHE_SECONDS = 600
    for schema in (alpha.schema, beta.schema):
        CATALOGUE.bump(schema)  # a namespace of its own for this test


def buyer(tenant, email):
    client = tenant.client()
    assert client.post("/login/", {"email": email, "password": TEST_PASSWORD}).status_code == 302
    return client


def prices(client):
    body = client.get("/api/v1/catalogue/products").json()
    return {item["sku"]: item["price"]["unit_price"] for item in body["results"]}


def test_a_second_request_is_served_from_the_cache(alpha):
    with schema_context(alpha.schema):
        MembershipFactory(user__email="a@buyer.test")
        ProductFactory(sku="BOLT", list_price=Decimal("1.5"))
    client = buyer(alpha, "a@buyer.test")
    client.get("/catalogue/")
    with CaptureQueriesContext(connection) as cold_api:
        assert prices(client) == {"BOLT": "1.5000"}
    with CaptureQueriesContext(connection) as warm_api:
        assert prices(client) == {"BOLT": "1.5000"}
    with CaptureQueriesContext(connection) as warm_page:
        assert "BOLT" in client.get("/catalogue/").content.decode()
    assert not any("catalog_product" in q["sql"] for q in warm_api.captured_queries)
    assert not any("catalog_product" in q["sql"] for q in warm_page.captured_queries)
    assert len(warm_api.captured_queries) < len(cold_api.captured_queries)


def test_a_write_through_a_service_reaches_buyers_at_once(
    alpha, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema):
        membership = MembershipFactory(user__email="a@buyer.test")
        product = ProductFactory(sku="BOLT", list_price=Decimal("1.5"))
    client = buyer(alpha, "a@buyer.test")
    assert prices(client) == {"BOLT": "1.5000"}
    with schema_context(alpha.schema):
        # A change behind the services' back is not seen (the cache really serves)...
        Product.objects.filter(pk=product.pk).update(list_price=Decimal("9"))
    assert prices(client) == {"BOLT": "1.5000"}
    with schema_context(alpha.schema), django_capture_on_commit_callbacks(execute=True):
        # ...a change through a service is, on commit.
        contract_price_create(
            actor=alpha.admin,
            company=membership.company,
            product=product,
            unit_price="1.10",
            valid_from=product.created_at.date(),
        )
    assert prices(client) == {"BOLT": "1.1000"}


def test_companies_and_tenants_never_share_entries(alpha, beta):
    for tenant, price in ((alpha, "2.00"), (beta, "3.00")):
        with schema_context(tenant.schema):
            a, b = CompanyFactory(name="A"), CompanyFactory(name="B")
            MembershipFactory(user__email="a@buyer.test", company=a)
            MembershipFactory(user__email="b@buyer.test", company=b)
            product = ProductFactory(sku="BOLT", list_price=Decimal(price))
            contract_price_create(
                actor=tenant.admin,
                company=a,
                product=product,
                unit_price="0.50",
                valid_from=product.created_at.date(),
            )
    assert prices(buyer(alpha, "a@buyer.test")) == {"BOLT": "0.5000"}
    assert prices(buyer(alpha, "b@buyer.test")) == {"BOLT": "2.0000"}
    assert prices(buyer(beta, "a@buyer.test")) == {"BOLT": "0.5000"}
    assert prices(buyer(beta, "b@buyer.test")) == {"BOLT": "3.0000"}
