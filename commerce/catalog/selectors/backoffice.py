"""Reads for the supplier's catalogue pages and CSV exports (a fixed number of queries each)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from commerce.catalog.models import (
    Category,
    ImportJob,
    Product,
    ProductImage,
    StockLevel,
    Warehouse,
)
from commerce.pricing.models import PriceList, PriceListItem

PRODUCTS_PER_PAGE = 50
PATH_SEPARATOR = " > "


@dataclass(frozen=True)
class TreeRow:
    """A category in display order, with its depth and its full name path."""

    category: Category
    level: int
    label: str
    product_count: int
    child_count: int


def category_tree() -> list[TreeRow]:
    """The whole tree, parents before children, siblings by name (one query)."""
    categories = list(
        Category.objects.annotate(
            product_count=Count("products", distinct=True),
            child_count=Count("children", distinct=True),
        ).order_by("name")
    )
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    rows: list[TreeRow] = []

    def walk(parent: int | None, level: int, prefix: str) -> None:
        for category in children.get(parent, []):
            label = f"{prefix}{category.name}"
            rows.append(
                TreeRow(
                    category,
                    level,
                    label,
                    category.product_count,  # type: ignore[attr-defined]
                    category.child_count,  # type: ignore[attr-defined]
                )
            )
            walk(category.pk, level + 1, label + PATH_SEPARATOR)

    walk(None, 0, "")
    return rows


def category_labels() -> dict[int, str]:
    """``{category id: "Parent > Child"}`` — the names CSV files use for categories."""
    return {row.category.pk: row.label for row in category_tree()}


def category_choices() -> list[tuple[str, str]]:
    return [(str(row.category.public_id), row.label) for row in category_tree()]


@dataclass(frozen=True)
class ProductFilters:
    search: str = ""
    category: Category | None = None
    active: bool | None = None


def products_queryset(filters: ProductFilters) -> QuerySet[Product]:
    on_hand = (
        StockLevel.objects.filter(product=OuterRef("pk"))
        .values("product")
        .annotate(total=Sum("on_hand"))
        .values("total")
    )
    thumbnail = ProductImage.objects.filter(product=OuterRef("pk")).order_by("position", "id")
    products = Product.objects.select_related("category").annotate(
        on_hand_total=Coalesce(Subquery(on_hand, output_field=IntegerField()), Value(0)),
        thumbnail_name=Subquery(thumbnail.values("thumbnail")[:1]),
    )
    if filters.search:
        term = filters.search.strip()
        products = products.filter(Q(sku__icontains=term) | Q(name__icontains=term))
    if filters.category is not None:
        products = products.filter(category__path__startswith=filters.category.path)
    if filters.active is not None:
        products = products.filter(active=filters.active)
    return products.order_by("name", "id")


def products_page(filters: ProductFilters, page: Any) -> Page[Product]:
    """One page of products with their category, total stock and first thumbnail
    (two queries: the count and the page)."""
    paginator = Paginator(products_queryset(filters), PRODUCTS_PER_PAGE)
    return paginator.get_page(page)


def product_images(product: Product) -> list[ProductImage]:
    return list(ProductImage.objects.filter(product=product).order_by("position", "id"))


@dataclass(frozen=True)
class StockRow:
    warehouse: Warehouse
    on_hand: int
    reserved: int


def product_stock(product: Product) -> list[StockRow]:
    """The product's stock in every warehouse (active ones, plus inactive ones holding stock)."""
    levels = {s.warehouse_id: s for s in StockLevel.objects.filter(product=product)}
    return [
        StockRow(
            w,
            levels[w.pk].on_hand if w.pk in levels else 0,
            levels[w.pk].reserved if w.pk in levels else 0,
        )
        for w in Warehouse.objects.order_by("code")
        if w.active or w.pk in levels
    ]


def warehouses_with_totals() -> QuerySet[Warehouse]:
    return Warehouse.objects.annotate(
        product_count=Count("stock_levels", filter=Q(stock_levels__on_hand__gt=0)),
        on_hand_total=Coalesce(Sum("stock_levels__on_hand"), Value(0)),
    ).order_by("code")


def recent_import_jobs(limit: int = 20) -> list[ImportJob]:
    return list(ImportJob.objects.select_related("created_by").order_by("-created_at")[:limit])


# --- exports (streamed: iterators over chunks, never the whole table in memory) ---------------


def export_products() -> Iterator[Product]:
    return Product.objects.order_by("sku").iterator(chunk_size=2000)


def export_stock() -> Iterator[Mapping[str, Any]]:
    return (
        StockLevel.objects.order_by("product__sku", "warehouse__code")
        .values("product__sku", "warehouse__code", "on_hand")
        .iterator(chunk_size=2000)
    )


def export_price_list_items() -> Iterator[Mapping[str, Any]]:
    return (
        PriceListItem.objects.order_by("price_list__name", "product__sku", "min_quantity")
        .values(
            "price_list__name",
            "price_list__external_ref",
            "product__sku",
            "min_quantity",
            "unit_price",
        )
        .iterator(chunk_size=2000)
    )


def price_lists() -> list[PriceList]:
    return list(PriceList.objects.order_by("priority", "name"))
