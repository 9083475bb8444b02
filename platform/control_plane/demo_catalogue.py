"""The demo suppliers' catalogues: categories, products, pictures, warehouses, stock, price lists.

Products are generated (deterministically) from the trade vocabularies of ``demo_trades`` and
written the way a supplier would: categories and warehouses through the catalogue services,
products, stock and price-list rows as CSV files through the import engine (upload, check,
confirm: audited like any import), pictures through ``product_image_add``, price lists through
``price_list_create``. Call inside the tenant's schema with its administrator as ``actor``.
"""

from __future__ import annotations

import csv
import io
import itertools
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw, ImageFont

from control_plane.demo_trades import Leaf, Trade

IMPORT_CHUNK = 450  # rows per CSV file: below the async threshold, so each import runs at once
PICTURE_SIDE = 480  # drawn at this size, stored at STORED_SIDE (anti-aliased)
STORED_SIDE = 320  # = the thumbnail size: thumbnails are then a re-encode, not a resize
D = Decimal


@dataclass
class DemoProduct:
    """One generated product (the CSV row) plus how its stock should look."""

    sku: str
    name: str
    description: str
    leaf: Leaf
    unit: str
    pack_size: int
    pallet_quantity: int | None
    min_order_qty: int
    order_multiple: int
    lead_time_days: int
    list_price: Decimal
    attributes: dict[str, str]
    active: bool
    external_ref: str
    stock: str  # "plenty" | "low" | "backorder" | "none"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def category(self) -> str:
        return " > ".join(self.leaf.path)

    def csv_row(self) -> list[str]:
        return [
            self.sku,
            self.name,
            self.description,
            self.category,
            self.unit,
            str(self.pack_size),
            str(self.pallet_quantity or ""),
            str(self.min_order_qty),
            str(self.order_multiple),
            str(self.lead_time_days),
            str(self.list_price),
            "; ".join(f"{k}: {v}" for k, v in self.attributes.items()),
            "yes" if self.active else "no",
            self.external_ref,
        ]


# --- generating products ------------------------------------------------------------------------


def _shares(sizes: list[int], total: int) -> list[int]:
    """Split ``total`` over buckets of the given capacities as evenly as they allow."""
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    shares, remaining = [0] * len(sizes), total
    for position, index in enumerate(order):
        share = min(sizes[index], remaining // (len(order) - position))
        shares[index] = share
        remaining -= share
    return shares


def _money(value: float) -> Decimal:
    step = D("0.0001") if value < 1 else D("0.01")
    return D(str(value)).quantize(step, rounding=ROUND_HALF_UP)


def _stock_profile(rng: random.Random) -> tuple[str, int]:
    draw = rng.random()
    if draw < 0.70:
        return "plenty", rng.choice((0, 2, 3, 5))
    if draw < 0.82:
        return "low", rng.choice((3, 5, 7))
    if draw < 0.96:
        return "backorder", rng.choice((7, 10, 14, 21, 28))
    return "none", 0


def _product(
    trade: Trade, leaf: Leaf, combo: tuple[Any, ...], number: int, rng: random.Random
) -> DemoProduct:
    names = list(leaf.axes)
    words = {name: value[0] for name, value in zip(names, combo, strict=True)}
    price = leaf.price
    for name, value in zip(names, combo, strict=True):
        price *= 1 + leaf.steps.get(name, 0.15) * leaf.axes[name].index(value)
    price *= rng.uniform(0.95, 1.05)
    pack = rng.choice(leaf.packs)
    in_packs = leaf.order_in_packs and pack > 1
    stock, lead = _stock_profile(rng)
    return DemoProduct(
        sku="-".join([trade.sku_prefix, leaf.code, *(value[1] for value in combo)]),
        name=leaf.name.format(**words),
        description=(
            f"{leaf.description} "
            + (
                f"Packed {pack} {leaf.unit} per box; order in whole boxes."
                if in_packs
                else f"Sold per {leaf.unit}."
            )
        ),
        leaf=leaf,
        unit=leaf.unit,
        pack_size=pack,
        pallet_quantity=(leaf.pallet * pack) if leaf.pallet else None,
        min_order_qty=pack if in_packs else 1,
        order_multiple=pack if in_packs else 1,
        lead_time_days=lead,
        list_price=_money(max(price, 0.005)),
        attributes={key: value.format(**words) for key, value in leaf.attributes.items()},
        active=number % 61 != 60,  # the odd discontinued product, as in every real catalogue
        external_ref=f"{trade.sku_prefix}{100000 + number}",
        stock=stock,
    )


def generate_products(trade: Trade, count: int, seed: int = 2026) -> list[DemoProduct]:
    """``count`` products spread evenly over the trade's leaf categories (same every run)."""
    rng = random.Random(seed)  # noqa: S311  (demo data, not security)
    combos = [list(itertools.product(*leaf.axes.values())) for leaf in trade.leaves]
    shares = _shares([len(c) for c in combos], count)
    products: list[DemoProduct] = []
    for leaf, options, share in zip(trade.leaves, combos, shares, strict=True):
        for index in sorted(rng.sample(range(len(options)), share)):
            products.append(_product(trade, leaf, options[index], len(products), rng))
    return products


# --- pictures -----------------------------------------------------------------------------------


def _font(size: int) -> Any:
    return ImageFont.load_default(size=size)


def _shape(draw: ImageDraw.ImageDraw, shape: str, ink: str, box: tuple[int, int, int, int]) -> None:
    x0, y0, x1, y1 = box
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2
    if shape == "hexagon":
        draw.regular_polygon((cx, cy, r), 6, outline=ink, width=14)
        draw.ellipse(
            (cx - r / 2.6, cy - r / 2.6, cx + r / 2.6, cy + r / 2.6), outline=ink, width=10
        )
    elif shape == "wrench":
        draw.line((x0 + r * 0.4, y1 - r * 0.4, x1 - r * 0.5, y0 + r * 0.5), fill=ink, width=34)
        draw.ellipse((x1 - r * 0.95, y0, x1, y0 + r * 0.95), outline=ink, width=20)
    elif shape == "shield":
        draw.polygon(
            [
                (cx, y0),
                (x1, y0 + r * 0.35),
                (x1 - r * 0.2, y1 - r * 0.5),
                (cx, y1),
                (x0 + r * 0.2, y1 - r * 0.5),
                (x0, y0 + r * 0.35),
            ],
            outline=ink,
            width=14,
        )
    elif shape == "flask":
        draw.polygon(
            [
                (cx - r * 0.25, y0),
                (cx + r * 0.25, y0),
                (cx + r * 0.25, cy - r * 0.2),
                (x1, y1),
                (x0, y1),
                (cx - r * 0.25, cy - r * 0.2),
            ],
            outline=ink,
            width=12,
        )
    elif shape == "tube":
        draw.rounded_rectangle(
            (cx - r * 0.3, y0, cx + r * 0.3, y1), radius=int(r * 0.3), outline=ink, width=12
        )
        draw.line((cx - r * 0.3, cy, cx + r * 0.3, cy), fill=ink, width=8)
    else:  # drop
        draw.polygon(
            [(cx, y0), (x1 - r * 0.15, cy + r * 0.2), (x0 + r * 0.15, cy + r * 0.2)], fill=ink
        )
        draw.ellipse((x0 + r * 0.15, cy - r * 0.3, x1 - r * 0.15, y1), fill=ink)


def leaf_picture(trade: Trade, leaf: Leaf) -> bytes:
    """A flat illustration for a leaf category: the trade's shape in the top category's colours,
    the leaf's initials and its name."""
    background, ink = trade.palette[leaf.path[0]]
    image = Image.new("RGB", (PICTURE_SIDE, PICTURE_SIDE), background)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (16, 16, PICTURE_SIDE - 16, PICTURE_SIDE - 16), radius=36, outline=ink, width=4
    )
    _shape(draw, trade.shapes[leaf.path[0]], ink, (150, 70, 330, 250))
    initials = "".join(word[0] for word in leaf.path[-1].replace("-", " ").split()[:2]).upper()
    draw.text((PICTURE_SIDE / 2, 318), initials, fill=ink, font=_font(72), anchor="mm")
    draw.text((PICTURE_SIDE / 2, 400), leaf.path[-1], fill=ink, font=_font(30), anchor="mm")
    buffer = io.BytesIO()
    image = image.resize((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


# --- writing ------------------------------------------------------------------------------------


def _csv(header: list[str], rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def import_rows(actor: Any, kind: str, header: list[str], rows: list[list[str]], name: str) -> int:
    """Import ``rows`` as the supplier would (upload → check → confirm), in files small enough
    to be applied at once. Refuses loudly if the engine reports any row error."""
    from commerce.catalog.imports import import_confirm, import_upload
    from commerce.catalog.models import ImportStatus

    for part, start in enumerate(range(0, len(rows), IMPORT_CHUNK), start=1):
        content = _csv(header, rows[start : start + IMPORT_CHUNK])
        upload = SimpleUploadedFile(f"{name}-{part}.csv", content, content_type="text/csv")
        job = import_upload(actor=actor, kind=kind, upload=upload)
        if job.status == ImportStatus.READY:
            job = import_confirm(actor=actor, job=job)
        if job.status != ImportStatus.DONE:
            raise RuntimeError(f"demo import {name} failed: {job.failure} {job.errors[:5]}")
    return len(rows)


def create_categories(actor: Any, trade: Trade) -> None:
    from commerce.catalog.services import category_create

    made: dict[tuple[str, ...], Any] = {}
    for leaf in trade.leaves:
        for depth in range(1, len(leaf.path) + 1):
            path = leaf.path[:depth]
            if path not in made:
                made[path] = category_create(actor=actor, name=path[-1], parent=made.get(path[:-1]))


def add_pictures(actor: Any, trade: Trade, products: list[DemoProduct]) -> int:
    """One generated picture per leaf category, added to each of its products."""
    from commerce.catalog.models import Product
    from commerce.catalog.services import product_image_add

    pictures = {leaf.code: leaf_picture(trade, leaf) for leaf in trade.leaves}
    stored = {p.sku: p for p in Product.objects.filter(sku__in=[d.sku for d in products])}
    for demo in products:
        upload = SimpleUploadedFile(
            f"{demo.leaf.code.lower()}.png", pictures[demo.leaf.code], content_type="image/png"
        )
        product_image_add(actor=actor, product=stored[demo.sku], upload=upload, alt_text=demo.name)
    return len(products)


def _stock_rows(
    products: list[DemoProduct], warehouses: list[str], rng: random.Random
) -> Iterator[list[str]]:
    main, branch = warehouses
    for demo in products:
        step = demo.order_multiple
        if demo.stock == "plenty":
            yield [demo.sku, main, str(step * rng.randint(25, 400))]
            yield [demo.sku, branch, str(step * rng.randint(0, 60))]
        elif demo.stock == "low":
            yield [demo.sku, main, str(rng.randint(1, 12))]
            yield [demo.sku, branch, str(rng.randint(0, 5))]
        else:
            yield [demo.sku, main, "0"]


def _breaks(demo: DemoProduct, base: Decimal, cuts: tuple[str, str]) -> list[tuple[int, Decimal]]:
    first = max(demo.min_order_qty, 1) * (5 if demo.min_order_qty > 1 else 10)
    return [
        (first, _money(float(base * (1 - D(cuts[0]))))),
        (first * 5, _money(float(base * (1 - D(cuts[1]))))),
    ]


@dataclass(frozen=True)
class ListPlan:
    """A price list of the demo: its name, priority, discount off list price, the share of
    products it prices, the share of those that get two volume breaks, and optional top-level
    categories it is limited to."""

    name: str
    priority: int
    discount: str
    coverage: float
    with_breaks: float
    cuts: tuple[str, str] = ("0.04", "0.08")
    default: bool = False
    only: tuple[str, ...] = ()


def price_list_rows(
    plans: list[ListPlan], products: list[DemoProduct], rng: random.Random
) -> list[list[str]]:
    rows = []
    for plan in plans:
        for demo in products:
            if plan.only and demo.leaf.path[0] not in plan.only:
                continue
            if not plan.default and rng.random() > plan.coverage:
                continue
            base = _money(float(demo.list_price * (1 - D(plan.discount))))
            rows.append([plan.name, demo.sku, "1", str(base)])
            if rng.random() < plan.with_breaks:
                for quantity, price in _breaks(demo, base, plan.cuts):
                    rows.append([plan.name, demo.sku, str(quantity), str(price)])
    return rows


@dataclass
class CatalogueSummary:
    products: int = 0
    categories: int = 0
    pictures: int = 0
    stock_rows: int = 0
    price_rows: int = 0
    price_lists: dict[str, Any] = field(default_factory=dict)


def seed_catalogue(
    *,
    actor: Any,
    trade: Trade,
    count: int,
    warehouses: list[tuple[str, str]],
    lists: list[ListPlan],
) -> CatalogueSummary:
    """The whole catalogue of one demo supplier (call once, inside its schema)."""
    from commerce.catalog.models import Category, ImportKind
    from commerce.catalog.services import warehouse_create
    from commerce.pricing.services import price_list_create

    rng = random.Random(count)  # noqa: S311  (demo data)
    summary = CatalogueSummary()
    create_categories(actor, trade)
    summary.categories = Category.objects.count()
    products = generate_products(trade, count)
    from commerce.catalog.imports.kinds import PRODUCT_COLUMNS

    summary.products = import_rows(
        actor, ImportKind.PRODUCTS, PRODUCT_COLUMNS, [p.csv_row() for p in products], "products"
    )
    summary.pictures = add_pictures(actor, trade, products)
    for code, name in warehouses:
        warehouse_create(actor=actor, code=code, name=name)
    stock = list(_stock_rows(products, [code for code, _ in warehouses], rng))
    summary.stock_rows = import_rows(
        actor, ImportKind.STOCK, ["sku", "warehouse", "on_hand"], stock, "stock"
    )
    for plan in lists:
        summary.price_lists[plan.name] = price_list_create(
            actor=actor, name=plan.name, priority=plan.priority, is_default=plan.default
        )
    rows = price_list_rows(lists, products, rng)
    summary.price_rows = import_rows(
        actor,
        ImportKind.PRICE_LISTS,
        ["price_list", "sku", "min_quantity", "unit_price"],
        rows,
        "price-lists",
    )
    return summary
