"""The buyer's product page: rules, the company's price and why, volume breaks, stock, images."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from commerce.catalog.models import ProductImage
from commerce.catalog.tests.test_portal_catalogue import (
    ACME_BUYER,
    BRAVO_BUYER,
    NOT_PRICED,
    build_shop,
    signed_in,
)


@pytest.fixture
def shop(alpha):
    with schema_context(alpha.schema):
        return build_shop()


def breaks(response) -> list[tuple[int, str, bool]]:
    return [
        (b.min_quantity, b.price_display, b.applicable) for b in response.context["detail"].breaks
    ]


def test_the_product_page_shows_rules_contract_price_stock_and_attributes(alpha, shop):
    response = signed_in(alpha, ACME_BUYER).get(f"/catalogue/{shop.bolt.public_id}/")
    assert response.status_code == 200
    detail = response.context["detail"]
    assert detail.quantity == 100  # quoted at the minimum order quantity
    assert detail.price_display == "EUR 0.18"
    assert detail.quote.reason == "Contract price until 31 Mar 2099"
    assert breaks(response) == []
    assert detail.availability.label == "In stock"
    assert [c.name for c in detail.breadcrumbs] == ["Fasteners", "Bolts", "Hex bolts"]
    assert detail.attributes == [("Length", "40 mm"), ("Thread", "M8")]  # alphabetical
    html = response.content.decode()
    for fragment in (
        "Hex bolt M8 x 40",
        '<span class="font-monospace" data-testid="sku">M8-40</span>',
        "Plain steel bolt.",
        '<dt class="col-6">Pack size</dt><dd class="col-6">50 pcs</dd>',
        '<dt class="col-6">Pallet quantity</dt><dd class="col-6">20000 pcs</dd>',
        '<dt class="col-6">Minimum order</dt><dd class="col-6">100 pcs</dd>',
        '<dt class="col-6">Order in multiples of</dt><dd class="col-6">50 pcs</dd>',
        '<dt class="col-6">Lead time</dt><dd class="col-6">3 days</dd>',
        '<th scope="row">Thread</th><td>M8</td>',
        "Contract price until 31 Mar 2099",
        '<div id="order-box"',
        "catalogue-placeholder",  # no pictures yet
    ):
        assert fragment in html, fragment


def test_the_volume_break_table_marks_the_break_that_applies(alpha, shop):
    client = signed_in(alpha, BRAVO_BUYER)
    url = f"/catalogue/{shop.washer.public_id}/"
    one = client.get(url)
    assert one.context["detail"].price_display == "EUR 0.09"
    assert one.context["detail"].quote.reason == "Your price list “Trade”"
    assert breaks(one) == [(1, "EUR 0.09", True), (100, "EUR 0.075", False)]
    many = client.get(url, {"quantity": "150"})
    assert many.context["detail"].price_display == "EUR 0.075"
    assert many.context["detail"].quote.reason == "Volume price from 100 pcs"
    assert breaks(many) == [(1, "EUR 0.09", False), (100, "EUR 0.075", True)]
    html = many.content.decode()
    assert '<tr class="table-active" aria-current="true">\n            <td>100 pcs' in html
    assert client.get(url, {"quantity": "abc"}).context["detail"].quantity == 1
    assert client.get(url, {"quantity": "-5"}).context["detail"].quantity == 1


def test_a_company_without_the_list_sees_the_list_price_and_no_breaks(alpha, shop):
    response = signed_in(alpha, ACME_BUYER).get(f"/catalogue/{shop.washer.public_id}/")
    assert response.context["detail"].price_display == "EUR 0.10"
    assert response.context["detail"].quote.reason == "List price"
    assert breaks(response) == []
    assert "Trade" not in response.content.decode()


def test_a_product_without_a_price_explains_why_it_cannot_be_ordered(alpha, shop):
    response = signed_in(alpha, ACME_BUYER).get(f"/catalogue/{shop.gasket.public_id}/")
    detail = response.context["detail"]
    assert detail.price_display == "No price"
    assert detail.availability.label == "Not available"
    assert NOT_PRICED in response.content.decode()


def test_images_show_the_first_as_main_and_all_as_thumbnails(alpha, shop):
    prefix = f"tenants/{alpha.schema}/catalog/bolt"
    with schema_context(alpha.schema):
        for position, alt in ((1, "Side view"), (0, "")):
            ProductImage.objects.create(
                product=shop.bolt,
                image=f"{prefix}/{position}.jpg",
                thumbnail=f"{prefix}/{position}-t.jpg",
                alt_text=alt,
                position=position,
            )
    response = signed_in(alpha, ACME_BUYER).get(f"/catalogue/{shop.bolt.public_id}/")
    images = [(i.url, i.thumbnail_url, i.alt_text) for i in response.context["detail"].images]
    assert images == [
        (f"/media/{prefix}/0.jpg", f"/media/{prefix}/0-t.jpg", "Hex bolt M8 x 40"),
        (f"/media/{prefix}/1.jpg", f"/media/{prefix}/1-t.jpg", "Side view"),
    ]
    html = response.content.decode()
    assert f'<img src="/media/{prefix}/0.jpg" alt="Hex bolt M8 x 40"' in html
    assert f'<img src="/media/{prefix}/1-t.jpg" alt="Side view"' in html


@pytest.mark.parametrize("images", [1, 6])
def test_the_product_page_runs_a_fixed_number_of_queries(alpha, shop, images):
    with schema_context(alpha.schema):
        for position in range(images):
            ProductImage.objects.create(
                product=shop.bolt, image=f"i{position}.jpg", thumbnail=f"t{position}.jpg"
            )
    client = signed_in(alpha, ACME_BUYER)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/catalogue/{shop.bolt.public_id}/")
    assert len(response.context["detail"].images) == images
    # session, user, membership, company, product, images, breadcrumbs, settings ×2,
    # pricing ×3 (no list is assigned or default, so no list rows are read), theme, and the
    # nav's cart and inbox counts (one query).
    assert len(queries) == 9, "\n".join(q["sql"][:90] for q in queries)
