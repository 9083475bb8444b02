"""Bench data (bench only: bulk inserts, not the services, except where a flow matters).

``build_tenant(slug, products, lists, companies)`` provisions a tenant and fills it with:
categories from the demo trades (through ``category_create``); ``products`` products named from
the demo vocabularies with a brand in front (bulk_create); one picture row per product
(sharing a few file names); stock in two warehouses (some low, some out, lead times); ``lists``
price lists (``price_list_create``: the first is the default) whose items are inserted by SQL
(each non-default list prices ~1/4 of the products, ~1/5 of those with two volume breaks);
``companies`` companies (bulk) with 1–3 assigned lists and 20 contract prices each; and one
buyer (invited and accepted through the services) in the first company, which has 3 lists and
contract prices on its first catalogue page. Returns the buyer's e-mail.
"""

from __future__ import annotations

import itertools
import random
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

BRANDS = [
    ("Atlas", "AT"),
    ("Baltic", "BA"),
    ("Corvus", "CO"),
    ("Delta", "DE"),
    ("Elbe", "EL"),
    ("Fjord", "FJ"),
    ("Granit", "GR"),
    ("Helix", "HX"),
    ("Iris", "IR"),
    ("Juno", "JU"),
    ("Kestrel", "KE"),
    ("Lumen", "LU"),
    ("Meridian", "ME"),
    ("Nordkap", "NK"),
    ("Orion", "OR"),
    ("Polaris", "PO"),
    ("Quarz", "QU"),
    ("Rhein", "RH"),
    ("Saturn", "SA"),
    ("Titan", "TI"),
    ("Ursa", "UR"),
    ("Vega", "VE"),
    ("Weser", "WE"),
    ("Xenon", "XE"),
    ("Yukon", "YU"),
    ("Zenit", "ZE"),
    ("Alpina", "AL"),
    ("Boreal", "BO"),
    ("Cobalt", "CB"),
    ("Dynamo", "DY"),
    ("Equinox", "EQ"),
    ("Falcon", "FA"),
    ("Gemini", "GE"),
    ("Hansa", "HA"),
    ("Ion", "IO"),
    ("Jade", "JA"),
    ("Kappa", "KA"),
    ("Lynx", "LY"),
    ("Magnus", "MA"),
    ("Nova", "NO"),
]
LINES = ["", " Pro", " Eco", " Max"]
PASSWORD = "Bench-Horse-Battery-42"  # noqa: S105  (throw-away tenants in a throw-away DB)
BUYER = "buyer@bench-buyer.test"


def _catalogue_rows() -> list[tuple[Any, ...]]:
    """Every (leaf, name, sku token, attributes, description) combination of both trades."""
    from control_plane.demo_trades import TRADES

    rows = []
    for trade in TRADES.values():
        for leaf in trade.leaves:
            for combo in itertools.product(*leaf.axes.values()):
                words = {name: value[0] for name, value in zip(leaf.axes, combo, strict=True)}
                rows.append(
                    (
                        leaf,
                        leaf.name.format(**words),
                        "-".join([trade.sku_prefix, leaf.code, *(v[1] for v in combo)]),
                        {k: v.format(**words) for k, v in leaf.attributes.items()},
                    )
                )
    return rows


def _categories(admin: Any) -> dict[tuple[str, ...], Any]:
    from commerce.catalog.services import category_create
    from control_plane.demo_trades import TRADES

    made: dict[tuple[str, ...], Any] = {}
    for trade in TRADES.values():
        for leaf in trade.leaves:
            for depth in range(1, len(leaf.path) + 1):
                path = leaf.path[:depth]
                if path not in made:
                    made[path] = category_create(
                        actor=admin, name=path[-1], parent=made.get(path[:-1])
                    )
    return made


def _products(count: int, categories: dict[tuple[str, ...], Any], rng: random.Random) -> None:
    from commerce.catalog.models import Product

    base = _catalogue_rows()
    rng.shuffle(base)
    batch = []
    for number in range(count):
        leaf, name, sku, attributes = base[number % len(base)]
        brand, code = BRANDS[(number // len(base)) % len(BRANDS)]
        series = number // (len(base) * len(BRANDS))
        pack = rng.choice(leaf.packs)
        batch.append(
            Product(
                sku=f"{code}{series or ''}-{sku}"[:64],
                name=f"{brand}{LINES[series % len(LINES)]} {name[0].lower()}{name[1:]}"[:200],
                description=leaf.description,
                category=categories[leaf.path],
                unit=leaf.unit,
                pack_size=pack,
                pallet_quantity=(leaf.pallet or 100) * pack,
                min_order_qty=pack if leaf.order_in_packs else 1,
                order_multiple=pack if leaf.order_in_packs else 1,
                lead_time_days=rng.choice((0, 0, 2, 5, 14)),
                list_price=Decimal(str(round(leaf.price * rng.uniform(0.6, 3.0), 4))),
                attributes=attributes,
                active=number % 97 != 0,
                external_ref=f"ERP{number:07d}",
            )
        )
        if len(batch) == 5000:
            Product.objects.bulk_create(batch)
            batch = []
    Product.objects.bulk_create(batch)


SQL_IMAGES = """
INSERT INTO catalog_productimage (public_id, product_id, image, thumbnail, alt_text, position)
SELECT md5(random()::text || p.id)::uuid, p.id,
       'tenants/' || current_schema() || '/catalog/shared/' || (p.id % 20) || '.png',
       'tenants/' || current_schema() || '/catalog/shared/' || (p.id % 20) || '.webp', p.name, 1
FROM catalog_product p
"""
SQL_STOCK = """
INSERT INTO catalog_stocklevel (product_id, warehouse_id, on_hand, reserved, updated_at)
SELECT p.id, w.id,
       CASE WHEN p.id % 10 = 0 THEN 0 WHEN p.id % 10 = 1 THEN (p.id % 7)
            ELSE (p.id * 7919 + w.id * 31) % 500 END,
       CASE WHEN p.id % 13 = 0 THEN 1 ELSE 0 END, now()
FROM catalog_product p CROSS JOIN catalog_warehouse w
"""
SQL_DEFAULT_ITEMS = """
INSERT INTO pricing_pricelistitem (price_list_id, product_id, min_quantity, unit_price)
SELECT %s, p.id, q.min_quantity, round(p.list_price * q.factor, 4)
FROM catalog_product p
CROSS JOIN (VALUES (1, 1.0), (10, 0.96), (50, 0.92)) AS q(min_quantity, factor)
WHERE q.min_quantity = 1 OR p.id %% 3 = 0
"""
SQL_LIST_ITEMS = """
INSERT INTO pricing_pricelistitem (price_list_id, product_id, min_quantity, unit_price)
SELECT pl.id, p.id, q.min_quantity,
       round(p.list_price * (0.75 + (pl.id % 20) / 100.0) * q.factor, 4)
FROM pricing_pricelist pl
JOIN catalog_product p ON (p.id + pl.id) % 4 = 0
CROSS JOIN (VALUES (1, 1.0), (20, 0.95), (100, 0.9)) AS q(min_quantity, factor)
WHERE NOT pl.is_default AND (q.min_quantity = 1 OR p.id % 5 = 0)
"""


def _price_lists(admin: Any, count: int) -> list[Any]:
    from django.db import connection

    from commerce.pricing.services import price_list_create

    lists = [price_list_create(actor=admin, name="Standard", priority=100, is_default=True)]
    lists += [
        price_list_create(actor=admin, name=f"Contract group {n:02d}", priority=10 + n)
        for n in range(1, count)
    ]
    with connection.cursor() as cursor:
        cursor.execute(SQL_DEFAULT_ITEMS, [lists[0].pk])
        cursor.execute(SQL_LIST_ITEMS)
    return lists


def _companies(count: int, lists: list[Any], rng: random.Random) -> list[Any]:
    from commerce.customers.models import Company

    companies = Company.objects.bulk_create(
        Company(
            name=f"Bench Customer {n:04d} GmbH",
            vat_id=f"DE{100000000 + n}",
            billing_line1=f"Hafenstraße {n % 200 + 1}",
            billing_postcode=f"{20000 + n:05d}",
            billing_city="Hamburg",
            billing_country="DE",
            payment_terms="net",
            net_days=30,
            credit_limit=Decimal(10000 + n * 10),
            external_ref=f"BENCH-{n:04d}",
        )
        for n in range(count)
    )
    through = Company.price_lists.through
    links = []
    for index, company in enumerate(companies):
        chosen = lists[1:4] if index == 0 else rng.sample(lists[1:], rng.randint(1, 3))
        links += [through(company_id=company.pk, pricelist_id=pl.pk) for pl in chosen]
    through.objects.bulk_create(links)
    return companies


def _contracts(companies: list[Any], rng: random.Random) -> int:
    from commerce.catalog.models import Product
    from commerce.catalog.selectors.portal import CatalogueFilters, catalogue_products
    from commerce.pricing.models import ContractPrice
    from commerce.selectors import portal_today

    today = portal_today()
    ids = list(Product.objects.filter(active=True).values_list("pk", "list_price"))
    first_page = list(
        catalogue_products(company=companies[0], filters=CatalogueFilters())[:50].values_list(
            "pk", "list_price"
        )
    )
    rows = []
    for index, company in enumerate(companies):
        picks = first_page[::3] if index == 0 else rng.sample(ids, 20)
        for pk, price in picks:
            rows.append(
                ContractPrice(
                    company_id=company.pk,
                    product_id=pk,
                    unit_price=(price * Decimal("0.8")).quantize(Decimal("0.0001")),
                    valid_from=today - timedelta(days=30),
                    valid_to=today + timedelta(days=rng.choice((10, 60, 180))),
                )
            )
    ContractPrice.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _buyer(admin: Any, company: Any, host: str) -> str:
    from commerce.customers.services import invitation_accept, invitation_create

    _, token = invitation_create(
        actor=admin, company=company, email=BUYER, role="buyer", portal_url=f"http://{host}"
    )
    invitation_accept(token=token, full_name="Bench Buyer", password=PASSWORD)
    return BUYER


def build_tenant(slug: str, *, products: int, lists: int, companies: int) -> dict[str, Any]:
    """Provision ``slug`` and fill it (see the module docstring); returns what was made."""
    from django.db import connection
    from django_tenants.utils import schema_context

    from commerce.catalog.services import warehouse_create
    from tenants.services import SignupRequest, host_for, tenant_provision

    rng = random.Random(slug)
    tenant, admin = tenant_provision(
        actor=None,
        request=SignupRequest(
            f"{slug.title()} Bench Supply", slug, "Bench Admin", f"admin@{slug}.test", PASSWORD
        ),
    )
    with schema_context(tenant.schema_name):
        categories = _categories(admin)
        _products(products, categories, rng)
        with connection.cursor() as cursor:
            cursor.execute(SQL_IMAGES)
        warehouse_create(actor=admin, code="MAIN", name="Main warehouse")
        warehouse_create(actor=admin, code="EAST", name="East branch")
        with connection.cursor() as cursor:
            cursor.execute(SQL_STOCK)
        price_lists = _price_lists(admin, lists)
        made = _companies(companies, price_lists, rng)
        contracts = _contracts(made, rng)
        buyer = _buyer(admin, made[0], host_for(slug))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pricing_pricelistitem")
            items = cursor.fetchone()[0]
    return {
        "schema": tenant.schema_name,
        "host": host_for(slug),
        "buyer": buyer,
        "products": products,
        "price_lists": len(price_lists),
        "price_list_items": items,
        "companies": len(made),
        "contract_prices": contracts,
        "run_id": uuid.uuid4().hex[:8],
    }
