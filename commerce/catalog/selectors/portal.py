"""Buyer-side catalogue reads: what a signed-in buyer's company may see, priced for it.

Visibility (the same everywhere: page, search, product page, API):
- only ``active`` products;
- when the company has ``assortment_restricted``, only the products of its assortment;
- any other product id answers ``NotFound``, exactly like a missing one.

Who: buyers with a membership only (``require_membership``). Supplier staff have no company,
so they have no prices to preview here: they get the same "not found" as anyone else.

Queries are fixed per page whatever its size: one COUNT, one SELECT of the page's products with
their first thumbnail and summed available stock as correlated subqueries, and ``price_many``'s
four queries. Prices come only from ``commerce.pricing.selectors`` (never re-computed here), so
there is no price sort: sorting by price would need every match priced first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.core.paginator import Paginator
from django.db import models
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    Lookup,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, NullIf

from commerce.catalog.models import Category, Product, ProductImage, StockLevel
from commerce.customers.models import Company, Membership
from commerce.customers.policies import require_membership
from commerce.models import PortalSettings
from commerce.pricing.selectors import PriceQuote, price_for, price_many
from commerce.selectors import portal_settings, portal_today
from core.errors import NotFound
from core.ids import parse_uuid
from core.money import format_unit_price

PAGE_SIZE = 24
API_PAGE_SIZE = 50
LOW_STOCK_BELOW = 20  # fewer available units than this show as "12 left"
SEARCH_MAX_LENGTH = 100
SKU_FRAGMENT_MIN_LENGTH = 3  # shorter fragments only match a whole SKU (the index needs 3)
MAX_QUOTE_QUANTITY = 1_000_000
# A search matching more than this many products is "broad": the count shows "1,000+" and the
# results come in name order (ranking thousands of matches costs more than it tells).
SEARCH_COUNT_CAP = 1000


class CatalogueSort(models.TextChoices):
    RELEVANCE = "relevance", "Best match"
    NAME = "name", "Name A–Z"
    SKU = "sku", "SKU"
    NEWEST = "newest", "Newest first"


class AvailabilityCode(models.TextChoices):
    IN_STOCK = "in_stock", "In stock"
    LOW_STOCK = "low_stock", "Low stock"
    LEAD_TIME = "lead_time", "Ships later"
    OUT_OF_STOCK = "out_of_stock", "Out of stock"
    NOT_AVAILABLE = "not_available", "Not available"


@dataclass(frozen=True)
class Availability:
    """What a buyer is told about getting a product: a stable ``code`` and the words shown.
    ``quantity`` is the number shown in the label ("12 left"), else None: exact stock is only
    revealed when it is low."""

    code: str
    label: str
    quantity: int | None = None


@dataclass(frozen=True)
class CatalogueFilters:
    search: str = ""
    category: Category | None = None
    in_stock: bool = False
    sort: str = ""

    @property
    def effective_sort(self) -> str:
        """Relevance only means something when searching; name is the default otherwise."""
        if self.sort == CatalogueSort.RELEVANCE or not self.sort:
            return CatalogueSort.RELEVANCE if self.search else CatalogueSort.NAME
        return self.sort


@dataclass(frozen=True)
class CatalogueItem:
    product: Product
    thumbnail_url: str
    quote: PriceQuote
    price_display: str
    availability: Availability


@dataclass(frozen=True)
class CataloguePage:
    items: list[CatalogueItem]
    number: int
    num_pages: int
    count: int
    per_page: int
    currency: str
    count_capped: bool = False

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


@dataclass(frozen=True)
class BreakRow:
    min_quantity: int
    unit_price: Decimal
    price_display: str
    applicable: bool


@dataclass(frozen=True)
class ImageView:
    url: str
    thumbnail_url: str
    alt_text: str


@dataclass(frozen=True)
class ProductDetail:
    product: Product
    quantity: int
    quote: PriceQuote
    price_display: str
    breaks: list[BreakRow]
    availability: Availability
    images: list[ImageView]
    attributes: list[tuple[str, str]]
    breadcrumbs: list[Category]
    currency: str


class _ILike(Lookup):
    """``column ILIKE pattern`` on the bare column, so the trigram GIN index on ``sku`` serves it
    (Django's ``icontains`` wraps the column in UPPER(), which that index cannot)."""

    lookup_name = "portal_ilike"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]


def _like_fragment(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _price_display(quote: PriceQuote) -> str:
    if quote.unit_price is None:
        return "No price"
    return format_unit_price(quote.unit_price, quote.currency)


def availability_for(*, available: int, lead_time_days: int, orderable: bool) -> Availability:
    """The one wording of availability, used by cards, the product page and the API."""
    if not orderable:
        return Availability(AvailabilityCode.NOT_AVAILABLE, "Not available")
    if available >= LOW_STOCK_BELOW:
        return Availability(AvailabilityCode.IN_STOCK, "In stock")
    if available > 0:
        return Availability(AvailabilityCode.LOW_STOCK, f"{available} left", available)
    if lead_time_days > 0:
        days = "1 day" if lead_time_days == 1 else f"{lead_time_days} days"
        return Availability(AvailabilityCode.LEAD_TIME, f"Ships in {days}")
    return Availability(AvailabilityCode.OUT_OF_STOCK, "Out of stock")


def _available_stock() -> Coalesce:
    """Units free to sell, summed over active warehouses (a row never counts below zero)."""
    per_product = (
        StockLevel.objects.filter(product=OuterRef("pk"), warehouse__active=True)
        .order_by()
        .values("product")
        .annotate(total=Sum(Greatest(F("on_hand") - F("reserved"), Value(0))))
        .values("total")
    )
    return Coalesce(Subquery(per_product, output_field=IntegerField()), Value(0))


def _first_thumbnail() -> Subquery:
    """The first picture's thumbnail (its full image while the thumbnail is not made yet)."""
    return Subquery(
        ProductImage.objects.filter(product=OuterRef("pk"))
        .order_by("position", "id")
        .annotate(
            shown=Coalesce(
                NullIf("thumbnail", Value("")), NullIf("image", Value("")), output_field=CharField()
            )
        )
        .values("shown")[:1],
        output_field=CharField(),
    )


def _thumbnail_url(name: str | None) -> str:
    if not name:
        return ""
    return str(ProductImage._meta.get_field("thumbnail").storage.url(name))


def visible_products(company: Company) -> QuerySet[Product]:
    """The products ``company``'s members may see: active, and in its assortment when it is
    restricted (a subquery, not a list of ids)."""
    products = Product.objects.filter(active=True)
    if company.assortment_restricted:
        through = Company.assortment.through
        products = products.filter(
            pk__in=through.objects.filter(company_id=company.pk).values("product_id")
        )
    return products


def _search(products: QuerySet[Product], text: str, *, rank: bool = True) -> QuerySet[Product]:
    """Full-text (English stems and plain words, so SKUs match as typed) or a SKU fragment.
    Ranking: exact SKU, then SKU prefix, then text rank plus SKU trigram similarity."""
    query = SearchQuery(text, config="english", search_type="websearch") | SearchQuery(
        text, config="simple", search_type="websearch"
    )
    if len(text) >= SKU_FRAGMENT_MIN_LENGTH:
        sku_match = Q(_ILike(F("sku"), Value(_like_fragment(text))))
    else:
        sku_match = Q(sku__iexact=text)
    matches = products.filter(Q(search_vector=query) | sku_match)
    if not rank:
        return matches.order_by(*ORDERINGS[CatalogueSort.NAME])
    return matches.annotate(
        sku_tier=Case(
            When(sku__iexact=text, then=Value(0)),
            When(sku__istartswith=text, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        score=SearchRank(F("search_vector"), query) + TrigramSimilarity("sku", text),
    ).order_by("sku_tier", "-score", "name", "pk")


ORDERINGS = {
    CatalogueSort.NAME: ("name", "sku"),
    CatalogueSort.SKU: ("sku",),
    CatalogueSort.NEWEST: ("-created_at", "-pk"),
}


def catalogue_products(
    *, company: Company, filters: CatalogueFilters, rank: bool = True
) -> QuerySet[Product]:
    """The visible products matching ``filters``, sorted, with ``available`` and ``thumb``
    annotated (still a lazy queryset: callers paginate)."""
    products: QuerySet[Product] = visible_products(company).annotate(
        available=_available_stock(), thumb=_first_thumbnail()
    )
    if filters.category is not None:
        if filters.category.path:
            products = products.filter(category__path__startswith=filters.category.path)
        else:
            products = products.filter(category=filters.category)
    if filters.in_stock:
        # Same meaning as ``available > 0`` (a sum of non-negative terms is positive iff one
        # is), but a semi-join the planner can hash instead of a subquery per product.
        products = products.filter(
            Exists(
                StockLevel.objects.filter(
                    product=OuterRef("pk"), warehouse__active=True, on_hand__gt=F("reserved")
                )
            )
        )
    text = filters.search.strip()[:SEARCH_MAX_LENGTH]
    sort = filters.effective_sort
    if text:
        products = _search(products, text, rank=rank)
        if sort != CatalogueSort.RELEVANCE:
            products = products.order_by(*ORDERINGS[CatalogueSort(sort)])
    else:
        products = products.order_by(*ORDERINGS[CatalogueSort(sort)])
    return products


def _count(products: QuerySet[Product], *, capped: bool) -> tuple[int, bool]:
    """The number of matches; for searches, at most ``SEARCH_COUNT_CAP`` (and whether the cap
    was hit), so a broad search never counts tens of thousands of rows."""
    if not capped:
        return products.order_by().count(), False
    found = products.order_by().values("pk")[: SEARCH_COUNT_CAP + 1].count()
    return min(found, SEARCH_COUNT_CAP), found > SEARCH_COUNT_CAP


def catalogue_page(
    *,
    membership: Membership,
    filters: CatalogueFilters,
    page: int,
    per_page: int = PAGE_SIZE,
    settings_row: PortalSettings | None = None,
) -> CataloguePage:
    """One page of the priced catalogue for ``membership``'s company. A page number past the
    end serves the last page (``number`` says which one was served)."""
    company = membership.company
    settings_row = settings_row or portal_settings()
    currency = settings_row.currency
    products_qs = catalogue_products(company=company, filters=filters)
    count, capped = _count(products_qs, capped=bool(filters.search))
    if capped and filters.effective_sort == CatalogueSort.RELEVANCE:
        products_qs = catalogue_products(company=company, filters=filters, rank=False)
    paginator = Paginator(products_qs, per_page)
    # ``count`` is a cached_property: setting it means Django never counts again.
    paginator.count = count
    page_obj = paginator.get_page(page)
    products = list(page_obj.object_list)
    quotes = price_many(
        company=company, products=products, on=portal_today(settings_row), currency=currency
    )
    items = []
    for product in products:
        quote = quotes[product.pk]
        items.append(
            CatalogueItem(
                product=product,
                thumbnail_url=_thumbnail_url(product.thumb),
                quote=quote,
                price_display=_price_display(quote),
                availability=availability_for(
                    available=product.available,
                    lead_time_days=product.lead_time_days,
                    orderable=quote.orderable,
                ),
            )
        )
    return CataloguePage(
        items=items,
        number=page_obj.number,
        num_pages=paginator.num_pages,
        count=paginator.count,
        per_page=per_page,
        currency=currency,
        count_capped=capped,
    )


def catalogue_categories() -> list[Category]:
    """Every category, in tree order (materialised path)."""
    return list(Category.objects.order_by("path", "position", "name"))


def category_by_public_id(public_id: object) -> Category | None:
    """The category with ``public_id``, or None for an unknown or malformed id."""
    wanted = parse_uuid(public_id)
    return Category.objects.filter(public_id=wanted).first() if wanted else None


@dataclass
class CategoryNode:
    category: Category
    children: list[CategoryNode]


def category_tree(categories: list[Category]) -> list[CategoryNode]:
    """Nest loaded categories by ``parent_id`` (siblings by position, then name)."""
    nodes = {c.pk: CategoryNode(c, []) for c in categories}
    roots: list[CategoryNode] = []
    for category in sorted(categories, key=lambda c: (c.position, c.name)):
        node = nodes[category.pk]
        parent = nodes.get(category.parent_id) if category.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def access_product_for_buyer(actor: Any, public_id: uuid.UUID | str) -> Product:
    """The product ``public_id`` if ``actor``'s company may see it, with ``available`` annotated
    and images prefetched. Missing, inactive, outside the assortment, or an actor who is not a
    buyer: the same ``NotFound``."""
    membership = require_membership(actor)
    try:
        wanted = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    product = (
        visible_products(membership.company)
        .filter(public_id=wanted)
        .select_related("category")
        .annotate(available=_available_stock())
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id"))
        )
        .first()
    )
    if product is None:
        raise NotFound()
    return product


def _breadcrumbs(product: Product) -> list[Category]:
    category = product.category
    if category is None:
        return []
    ids = [int(part) for part in category.path.strip("/").split("/") if part.isdigit()]
    if not ids:
        return [category]
    found = {c.pk: c for c in Category.objects.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def product_detail(
    *, membership: Membership, product: Product, quantity: int | None
) -> ProductDetail:
    """The product page's content: the company's quote at ``quantity`` (default: the minimum
    order quantity), its volume breaks with the applicable one marked, availability, images."""
    qty = min(max(quantity or product.min_order_qty, 1), MAX_QUOTE_QUANTITY)
    settings_row = portal_settings()
    currency = settings_row.currency
    quote = price_for(
        company=membership.company,
        product=product,
        quantity=qty,
        on=portal_today(settings_row),
        currency=currency,
    )
    applicable = max((b.min_quantity for b in quote.breaks if b.min_quantity <= qty), default=None)
    breaks = [
        BreakRow(
            b.min_quantity,
            b.unit_price,
            format_unit_price(b.unit_price, currency),
            b.min_quantity == applicable,
        )
        for b in quote.breaks
    ]
    images = [
        ImageView(
            url=image.image.url if image.image else "",
            thumbnail_url=_thumbnail_url(image.thumbnail.name)
            or (image.image.url if image.image else ""),
            alt_text=image.alt_text or product.name,
        )
        for image in product.images.all()
    ]
    # jsonb keeps no key order: show attributes alphabetically, the same on every visit.
    attributes = sorted(
        ((str(k), str(v)) for k, v in (product.attributes or {}).items()),
        key=lambda pair: pair[0].casefold(),
    )
    return ProductDetail(
        product=product,
        quantity=qty,
        quote=quote,
        price_display=_price_display(quote),
        breaks=breaks,
        availability=availability_for(
            available=product.available,  # type: ignore[attr-defined]
            lead_time_days=product.lead_time_days,
            orderable=quote.orderable,
        ),
        images=images,
        attributes=attributes,
        breadcrumbs=_breadcrumbs(product),
        currency=currency,
    )
