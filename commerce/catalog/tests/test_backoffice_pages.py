"""Every catalogue page opens for every staff role; buyers and other tenants get nothing."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from commerce.catalog.services import category_create, warehouse_create
from commerce.catalog.tests.support_backoffice import client_for, csv_file, staff
from tests.factories import MembershipFactory, ProductFactory


@pytest.fixture
def urls(alpha, admin, admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with schema_context(alpha.schema):
        category = category_create(actor=admin, name="Tools")
        product = ProductFactory(category=category)
        warehouse = warehouse_create(actor=admin, code="AMS", name="Amsterdam")
    admin_client.post(
        "/backoffice/catalogue/imports/",
        {"kind": "stock", "file": csv_file("sku,warehouse,on_hand\n")},
    )
    from commerce.catalog.models import ImportJob

    with schema_context(alpha.schema):
        job = ImportJob.objects.get()
    base = "/backoffice/catalogue/"
    return [
        base + "products/",
        base + "products/new",
        f"{base}products/{product.public_id}/",
        base + "categories/",
        f"{base}categories/{category.public_id}/",
        base + "warehouses/",
        f"{base}warehouses/{warehouse.public_id}/",
        base + "imports/",
        f"{base}imports/{job.public_id}/",
        f"{base}imports/{job.public_id}/progress",
        base + "export/products.csv",
        base + "export/stock.csv",
        base + "export/price_lists.csv",
    ]


@pytest.mark.parametrize(
    "role", ["administrator", "account_manager", "validator", "dispatcher", "finance"]
)
def test_every_page_opens_for_every_staff_role(alpha, urls, role):
    client = client_for(alpha, staff(alpha, role, f"{role}@alpha.test"))
    assert {url: client.get(url).status_code for url in urls} == dict.fromkeys(urls, 200)


def test_buyers_are_refused_and_other_tenants_see_nothing(alpha, beta, urls):
    with schema_context(alpha.schema):
        buyer = MembershipFactory().user
    buyer_client = client_for(alpha, buyer)
    assert {url: buyer_client.get(url).status_code for url in urls} == dict.fromkeys(urls, 403)
    beta_client = client_for(beta, beta.admin)
    with_ids = [u for u in urls if u.count("/") > 4 and "export" not in u and "new" not in u]
    assert len(with_ids) == 5
    assert {url: beta_client.get(url).status_code for url in with_ids} == dict.fromkeys(
        with_ids, 404
    )
