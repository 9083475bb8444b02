"""The buyer's catalogue page: search, filters, sort, pagination, prices per company,
availability wording, assortment and visibility rules, and a fixed number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from commerce.catalog.models import Category, ProductImage
from commerce.catalog.selectors.portal import availability_for, format_unit_price
from conftest import TEST_PASSWORD
from tests.factories import (
    CategoryFactory,
    CompanyFactory,
    ContractPriceFactory,
    MembershipFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    StockLevelFactory,
    WarehouseFactory,
)

D = Decimal
ACME_BUYER = "ann@acme.test"
BRAVO_BUYER = "bob@bravo.test"
CAROL_BUYER = "cat@carol.test"


def make_category(name: str, parent: Category | None = None) -> Category:
    """A category with its materialised path, as the back office would store it."""
    category = CategoryFactory(name=name, parent=parent, depth=parent.depth + 1 if parent else 0)
    category.path = f"{parent.path if parent else '/'}{category.pk}/"
    category.save(update_fields=["path"])
    return category


def build_shop() -> SimpleNamespace:
    """Categories Fasteners > Bolts > Hex bolts and Tools; five active products and an inactive
    one; stock in two warehouses (and a closed one); ACME with a contract on the M8-40 bolt,
    Bravo with a "Trade" list with volume breaks on the washer, Carol restricted to two
    products. Call inside the tenant's schema."""
    fasteners = make_category("Fasteners")
    bolts = make_category("Bolts", fasteners)
    hex_bolts = make_category("Hex bolts", bolts)
    tools = make_category("Tools")
    main = WarehouseFactory(code="MAIN")
    spare = WarehouseFactory(code="SPARE")
    closed = WarehouseFactory(code="OLD", active=False)
    bolt = ProductFactory(
        sku="M8-40",
        name="Hex bolt M8 x 40",
        description="Plain steel bolt.",
        category=hex_bolts,
        list_price=D("0.2500"),
        min_order_qty=100,
        order_multiple=50,
        pack_size=50,
        pallet_quantity=20000,
        lead_time_days=3,
        attributes={"Thread": "M8", "Length": "40 mm"},
    )
    bolt_zn = ProductFactory(
        sku="M8-40-ZN",
        name="Hex bolt M8 x 40 zinc",
        description="Zinc plated for outdoor timber.",
        category=hex_bolts,
        list_price=D("0.3000"),
    )
    washer = ProductFactory(
        sku="WSH-0042",
        name="Flat washer 8 mm",
        description="Fits M8-40 bolts. Stainless steel.",
        category=fasteners,
        list_price=D("0.1000"),
    )
    drill = ProductFactory(
        sku="DRL-100",
        name="Cordless drill",
        description="18 V drill with two batteries in a galvanised case.",
        category=tools,
        list_price=D("89.9000"),
        lead_time_days=5,
    )
    gasket = ProductFactory(
        sku="GSK-001", name="Custom gasket", description="Made to order.", list_price=None
    )
    old = ProductFactory(sku="M8-40-OLD", name="Hex bolt old", category=hex_bolts, active=False)
    StockLevelFactory(product=bolt, warehouse=main, on_hand=500)
    StockLevelFactory(product=bolt_zn, warehouse=main, on_hand=10, reserved=3)
    StockLevelFactory(product=bolt_zn, warehouse=spare, on_hand=5)
    StockLevelFactory(product=washer, warehouse=main, on_hand=2, reserved=5)
    StockLevelFactory(product=drill, warehouse=closed, on_hand=50)
    StockLevelFactory(product=old, warehouse=main, on_hand=100)
    acme = CompanyFactory(name="ACME")
    bravo = CompanyFactory(name="Bravo")
    carol = CompanyFactory(name="Carol", assortment_restricted=True)
    carol.assortment.set([bolt, washer])
    ContractPriceFactory(
        company=acme,
        product=bolt,
        unit_price=D("0.1800"),
        valid_from=date(2020, 1, 1),
        valid_to=date(2099, 3, 31),
    )
    trade = PriceListFactory(name="Trade", priority=10)
    bravo.price_lists.set([trade])
    PriceListItemFactory(price_list=trade, product=washer, min_quantity=1, unit_price=D("0.09"))
    PriceListItemFactory(price_list=trade, product=washer, min_quantity=100, unit_price=D("0.075"))
    MembershipFactory(user__email=ACME_BUYER, company=acme)
    MembershipFactory(user__email=BRAVO_BUYER, company=bravo)
    MembershipFactory(user__email=CAROL_BUYER, company=carol)
    return SimpleNamespace(
        fasteners=fasteners,
        bolts=bolts,
        hex_bolts=hex_bolts,
        tools=tools,
        main=main,
        bolt=bolt,
        bolt_zn=bolt_zn,
        washer=washer,
        drill=drill,
        gasket=gasket,
        old=old,
        acme=acme,
        bravo=bravo,
        carol=carol,
    )


@pytest.fixture
def shop(alpha):
    with schema_context(alpha.schema):
        return build_shop()


def signed_in(tenant, email: str):
    client = tenant.client()
    response = client.post("/login/", {"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def cards(response) -> list[tuple[str, str, str, str]]:
    """(SKU, price, why, availability) of each card, in page order."""
    return [
        (i.product.sku, i.price_display, i.quote.reason, i.availability.label)
        for i in response.context["page"].items
    ]


def skus(response) -> list[str]:
    return [i.product.sku for i in response.context["page"].items]


NOT_PRICED = (
    "No price is set for this product yet, so it cannot be ordered. "
    "Ask your account manager for a quote."
)


# --- who may see the catalogue -----------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(alpha, shop):
    response = alpha.client().get("/catalogue/?q=bolt")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fcatalogue%2F%3Fq%3Dbolt"
    detail = alpha.client().get(f"/catalogue/{shop.bolt.public_id}/")
    assert detail.status_code == 302
    assert detail["Location"].startswith("/login/?next=")


def test_supplier_staff_get_not_found_they_have_no_company_to_price_for(alpha, shop):
    client = signed_in(alpha, "admin@alpha.test")
    assert client.get("/catalogue/").status_code == 404
    assert client.get(f"/catalogue/{shop.bolt.public_id}/").status_code == 404


# --- prices and availability per company ---------------------------------------------------


def test_a_buyer_sees_every_active_product_priced_for_their_company(alpha, shop):
    response = signed_in(alpha, ACME_BUYER).get("/catalogue/")
    assert response.status_code == 200
    assert cards(response) == [
        ("DRL-100", "EUR 89.90", "List price", "Ships in 5 days"),
        ("GSK-001", "No price", NOT_PRICED, "Not available"),
        ("WSH-0042", "EUR 0.10", "List price", "Out of stock"),
        ("M8-40", "EUR 0.18", "Contract price until 31 Mar 2099", "In stock"),
        ("M8-40-ZN", "EUR 0.30", "List price", "12 left"),
    ]
    html = response.content.decode()
    assert "Contract price until 31 Mar 2099" in html
    assert "Ask for a quote" in html  # the long "no price" reason stays on the product page
    assert "M8-40-OLD" not in html
    assert response.context["page"].count == 5


def test_another_company_sees_its_own_list_and_never_the_contract_price(alpha, shop):
    response = signed_in(alpha, BRAVO_BUYER).get("/catalogue/")
    assert cards(response) == [
        ("DRL-100", "EUR 89.90", "List price", "Ships in 5 days"),
        ("GSK-001", "No price", NOT_PRICED, "Not available"),
        ("WSH-0042", "EUR 0.09", "Your price list “Trade”", "Out of stock"),
        ("M8-40", "EUR 0.25", "List price", "In stock"),
        ("M8-40-ZN", "EUR 0.30", "List price", "12 left"),
    ]
    html = response.content.decode()
    assert "0.18" not in html
    assert "Contract price" not in html
    detail = signed_in(alpha, BRAVO_BUYER).get(f"/catalogue/{shop.bolt.public_id}/")
    assert detail.context["detail"].price_display == "EUR 0.25"
    assert "0.18" not in detail.content.decode()


@pytest.mark.parametrize(
    ("available", "lead_time", "orderable", "code", "label"),
    [
        (500, 0, True, "in_stock", "In stock"),
        (20, 0, True, "in_stock", "In stock"),
        (19, 0, True, "low_stock", "19 left"),
        (1, 7, True, "low_stock", "1 left"),
        (0, 5, True, "lead_time", "Ships in 5 days"),
        (0, 1, True, "lead_time", "Ships in 1 day"),
        (0, 0, True, "out_of_stock", "Out of stock"),
        (500, 0, False, "not_available", "Not available"),
    ],
)
def test_availability_wording(available, lead_time, orderable, code, label):
    result = availability_for(available=available, lead_time_days=lead_time, orderable=orderable)
    assert (result.code, result.label) == (code, label)
    assert result.quantity == (available if code == "low_stock" else None)


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0.1800", "EUR 0.18"),
        ("0.0750", "EUR 0.075"),
        ("0.0125", "EUR 0.0125"),
        ("1234.5000", "EUR 1,234.50"),
    ],
)
def test_unit_prices_keep_their_fractions_of_a_cent(amount, shown):
    assert format_unit_price(D(amount), "EUR") == shown


# --- search --------------------------------------------------------------------------------


def test_search_matches_a_word_of_the_description_with_stemming(alpha, shop):
    client = signed_in(alpha, ACME_BUYER)
    assert skus(client.get("/catalogue/?q=galvanised")) == ["DRL-100"]
    assert skus(client.get("/catalogue/?q=battery")) == ["DRL-100"]  # "batteries"
    assert skus(client.get("/catalogue/?q=stainless+steel")) == ["WSH-0042"]


def test_search_finds_sku_fragments(alpha, shop):
    client = signed_in(alpha, ACME_BUYER)
    assert skus(client.get("/catalogue/?q=0042")) == ["WSH-0042"]
    assert skus(client.get("/catalogue/?q=8-40")) == ["M8-40", "M8-40-ZN"]
    assert skus(client.get("/catalogue/?q=40-z")) == ["M8-40-ZN"]


def test_search_ranks_the_exact_sku_first_then_prefixes_then_text(alpha, shop):
    client = signed_in(alpha, ACME_BUYER)
    response = client.get("/catalogue/?q=m8-40")
    assert skus(response) == ["M8-40", "M8-40-ZN", "WSH-0042"]
    assert response.context["sort"] == "relevance"
    assert skus(client.get("/catalogue/?q=M8-40-ZN")) == ["M8-40-ZN"]


def test_search_with_no_match_shows_a_friendly_empty_state(alpha, shop):
    response = signed_in(alpha, ACME_BUYER).get("/catalogue/?q=xylophone")
    assert response.status_code == 200
    assert response.context["page"].count == 0
    html = response.content.decode()
    assert "No products match “xylophone”" in html
    assert "search by part of a SKU" in html
    assert 'href="/catalogue/">Show all products' in html


def test_search_text_is_data_not_syntax(alpha, shop):
    client = signed_in(alpha, ACME_BUYER)
    for text in ("%", "_", "'", '"bolt', "bolt OR", "-", "!!", "a" * 300):
        assert client.get("/catalogue/", {"q": text}).status_code == 200
    assert skus(client.get("/catalogue/", {"q": "%%%"})) == []


# --- filters, sort, pagination, layout --------------------------------------------------------


def test_category_filter_includes_the_whole_subtree(alpha, shop):
    client = signed_in(alpha, ACME_BUYER)
    by_category = {
        c.name: skus(client.get(f"/catalogue/?category={c.public_id}"))
        for c in (shop.fasteners, shop.bolts, shop.hex_bolts, shop.tools)
    }
    assert by_category == {
        "Fasteners": ["WSH-0042", "M8-40", "M8-40-ZN"],
        "Bolts": ["M8-40", "M8-40-ZN"],
        "Hex bolts": ["M8-40", "M8-40-ZN"],
        "Tools": ["DRL-100"],
    }


def test_an_unknown_category_shows_everything(alpha, shop):
    response = signed_in(alpha, ACME_BUYER).get("/catalogue/?category=not-a-uuid")
    assert response.context["page"].count == 5
    assert response.context["filters"].category is None


def test_in_stock_filter_counts_free_units_in_active_warehouses_only(alpha, shop):
    # The washer has 2 on hand but 5 reserved; the drill's 50 are in a closed warehouse.
    response = signed_in(alpha, ACME_BUYER).get("/catalogue/?in_stock=1")
    assert skus(response) == ["M8-40", "M8-40-ZN"]
    assert "2 products, in stock" in response.content.decode()


def test_filters_and_search_combine(alpha, shop):
    client = signed_in(alpha, ACME_BUYER)
    response = client.get(f"/catalogue/?q=bolt&category={shop.bolts.public_id}&in_stock=1")
    assert skus(response) == ["M8-40", "M8-40-ZN"]
    assert skus(client.get(f"/catalogue/?q=drill&category={shop.fasteners.public_id}")) == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["DRL-100", "GSK-001", "WSH-0042", "M8-40", "M8-40-ZN"]),
        ("sku", ["DRL-100", "GSK-001", "M8-40", "M8-40-ZN", "WSH-0042"]),
        ("newest", ["GSK-001", "DRL-100", "WSH-0042", "M8-40-ZN", "M8-40"]),
        ("relevance", ["DRL-100", "GSK-001", "WSH-0042", "M8-40", "M8-40-ZN"]),  # = name
        ("price", ["DRL-100", "GSK-001", "WSH-0042", "M8-40", "M8-40-ZN"]),  # unknown = name
    ],
)
def test_sort_orders(alpha, shop, sort, expected):
    response = signed_in(alpha, ACME_BUYER).get(f"/catalogue/?sort={sort}")
    assert skus(response) == expected


def test_sorting_search_results_by_sku_overrides_relevance(alpha, shop):
    response = signed_in(alpha, ACME_BUYER).get("/catalogue/?q=m8-40&sort=sku")
    assert skus(response) == ["M8-40", "M8-40-ZN", "WSH-0042"]
    response = signed_in(alpha, ACME_BUYER).get("/catalogue/?q=m8-40&sort=newest")
    assert skus(response) == ["WSH-0042", "M8-40-ZN", "M8-40"]


def test_pagination_serves_24_per_page_and_keeps_the_query(alpha, shop):
    with schema_context(alpha.schema):
        for n in range(30):
            ProductFactory(sku=f"SCR-{n:03d}", name=f"Screw {n:03d}", description="Wood screw.")
    client = signed_in(alpha, ACME_BUYER)
    first = client.get("/catalogue/?q=screw&sort=sku")
    assert first.context["page"].count == 30
    assert skus(first) == [f"SCR-{n:03d}" for n in range(24)]
    assert 'href="?q=screw&amp;sort=sku&amp;page=2"' in first.content.decode()
    assert "Page 1 of 2" in first.content.decode()
    second = client.get("/catalogue/?q=screw&sort=sku&page=2")
    assert skus(second) == [f"SCR-{n:03d}" for n in range(24, 30)]
    assert 'href="?q=screw&amp;sort=sku&amp;page=1"' in second.content.decode()
    beyond = client.get("/catalogue/?q=screw&sort=sku&page=99")
    assert beyond.context["page"].number == 2
    assert client.get("/catalogue/?page=abc").context["page"].number == 1


def test_grid_or_list_is_remembered_for_the_session(alpha, shop):
    client = signed_in(alpha, ACME_BUYER)
    first = client.get("/catalogue/")
    assert first.context["layout"] == "grid"
    assert "catalogue-grid" in first.content.decode()
    listed = client.get("/catalogue/?view=list&q=bolt")
    assert listed.context["layout"] == "list"
    html = listed.content.decode()
    assert "catalogue-list" in html and "catalogue-grid" not in html
    assert 'href="?q=bolt&amp;view=grid"' in html
    assert client.get("/catalogue/").context["layout"] == "list"
    assert client.get("/catalogue/?view=grid").context["layout"] == "grid"
    assert client.get("/catalogue/?view=bogus").context["layout"] == "grid"


def test_cards_show_the_first_thumbnail_or_a_placeholder(alpha, shop):
    prefix = f"tenants/{alpha.schema}/catalog"
    with schema_context(alpha.schema):
        ProductImage.objects.create(
            product=shop.drill, image=f"{prefix}/d1.jpg", thumbnail=f"{prefix}/d1-t.jpg", position=2
        )
        ProductImage.objects.create(
            product=shop.drill, image=f"{prefix}/d0.jpg", thumbnail=f"{prefix}/d0-t.jpg", position=1
        )
        ProductImage.objects.create(product=shop.washer, image=f"{prefix}/w.jpg", thumbnail="")
    response = signed_in(alpha, ACME_BUYER).get("/catalogue/")
    thumbs = {i.product.sku: i.thumbnail_url for i in response.context["page"].items}
    assert thumbs == {
        "DRL-100": f"/media/{prefix}/d0-t.jpg",
        "GSK-001": "",
        "WSH-0042": f"/media/{prefix}/w.jpg",  # no thumbnail yet: the picture itself
        "M8-40": "",
        "M8-40-ZN": "",
    }
    html = response.content.decode()
    assert f'<img src="/media/{prefix}/d0-t.jpg" alt="Cordless drill" loading="lazy"' in html
    assert html.count('class="catalogue-placeholder"') == 3


# --- visibility: inactive, assortment, other tenant ------------------------------------------


def test_a_restricted_company_sees_only_its_assortment_everywhere(alpha, shop):
    client = signed_in(alpha, CAROL_BUYER)
    assert skus(client.get("/catalogue/")) == ["WSH-0042", "M8-40"]
    assert skus(client.get("/catalogue/?q=drill")) == []
    assert skus(client.get("/catalogue/?q=8-40")) == ["M8-40"]
    assert skus(client.get(f"/catalogue/?category={shop.tools.public_id}")) == []
    assert client.get(f"/catalogue/{shop.drill.public_id}/").status_code == 404
    assert client.get(f"/catalogue/{shop.bolt.public_id}/").status_code == 200


def test_inactive_products_are_never_shown(alpha, shop):
    client = signed_in(alpha, ACME_BUYER)
    assert "M8-40-OLD" not in skus(client.get("/catalogue/?q=old"))
    assert client.get(f"/catalogue/{shop.old.public_id}/").status_code == 404


def test_another_tenants_product_id_is_not_found_here(alpha, beta, shop):
    with schema_context(beta.schema):
        foreign = ProductFactory(sku="BETA-1", name="Beta widget")
    client = signed_in(alpha, ACME_BUYER)
    assert client.get(f"/catalogue/{foreign.public_id}/").status_code == 404
    assert skus(client.get("/catalogue/?q=widget")) == []


def test_a_missing_product_is_not_found(alpha, shop):
    client = signed_in(alpha, ACME_BUYER)
    response = client.get("/catalogue/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert client.get("/catalogue/not-a-uuid/").status_code == 404


# --- queries -----------------------------------------------------------------------------------


def _stock_products(count: int, acme) -> None:
    """``count`` products each with two images, stock in two warehouses, a contract and a
    price-list row (so every one of the pricing function's queries runs)."""
    wh1, wh2 = WarehouseFactory(), WarehouseFactory()
    price_list = PriceListFactory(name="Query list")
    acme.price_lists.add(price_list)
    for n in range(count):
        product = ProductFactory(sku=f"Q-{n:03d}", name=f"Query product {n:03d}")
        for position in (0, 1):
            ProductImage.objects.create(
                product=product,
                image=f"tenants/{connection.schema_name}/catalog/{n}/{position}.jpg",
                thumbnail=f"tenants/{connection.schema_name}/catalog/{n}/{position}-t.jpg",
                position=position,
            )
        StockLevelFactory(product=product, warehouse=wh1, on_hand=n)
        StockLevelFactory(product=product, warehouse=wh2, on_hand=3)
        ContractPriceFactory(company=acme, product=product, valid_from=date(2020, 1, 1))
        PriceListItemFactory(price_list=price_list, product=product)


# session, user, membership, company, categories, settings ×2 (currency, today), COUNT, page,
# pricing ×4 (contracts, assigned lists, default list, list rows), theme, and the nav's cart
# and inbox counts (one query, commerce.ordering.selectors.portal.nav_counts).
CATALOGUE_PAGE_QUERIES = 10


@pytest.mark.parametrize("count", [3, 24])
def test_the_catalogue_page_runs_a_fixed_number_of_queries(alpha, shop, count):
    with schema_context(alpha.schema):
        _stock_products(count, shop.acme)
    client = signed_in(alpha, ACME_BUYER)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/catalogue/?q=query&sort=sku")
    assert len(response.context["page"].items) == count
    first = response.context["page"].items[0]
    assert first.thumbnail_url == f"/media/tenants/{alpha.schema}/catalog/0/0-t.jpg"
    assert first.availability.label == "3 left"
    assert first.quote.reason == "Contract price"
    assert len(queries) == CATALOGUE_PAGE_QUERIES, "\n".join(q["sql"][:90] for q in queries)
