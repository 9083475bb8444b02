"""The pricing function: what a company pays for a product, at a quantity, on a day — and why.

Order of precedence (DESIGN.md §6):
1. a contract price of the company valid on that day (inclusive dates, the latest start wins);
2. the company's assigned price lists, by priority (lowest number first), then the default
   list: within the first list that prices the product at this quantity, the break with the
   largest ``min_quantity`` not above the quantity;
3. the product's list price;
4. otherwise no price: the product cannot be ordered, and the quote says so.

``price_many`` answers for many products in a fixed number of queries (catalogue pages).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from commerce.catalog.models import Product
from commerce.customers.models import Company
from commerce.pricing.models import ContractPrice, PriceList, PriceListItem
from core.money import quantize, quantize_unit_price


@dataclass(frozen=True)
class PriceBreak:
    min_quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class PriceQuote:
    """The answer of the pricing function, ready to show a buyer."""

    product_id: int
    quantity: int
    currency: str
    unit_price: Decimal | None
    source: str  # "contract" | "price_list" | "list_price" | "none"
    reason: str
    valid_to: date | None = None
    price_list: str = ""
    breaks: tuple[PriceBreak, ...] = field(default_factory=tuple)

    @property
    def orderable(self) -> bool:
        return self.unit_price is not None

    @property
    def line_total(self) -> Decimal | None:
        if self.unit_price is None:
            return None
        return quantize(self.unit_price * self.quantity, self.currency)


def _date_label(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _contract_reason(valid_to: date | None) -> str:
    if valid_to:
        return f"Contract price until {_date_label(valid_to)}"
    return "Contract price"


# Rows read with ``values_list``: building model instances for hundreds of list items per page
# cost more than the queries themselves.
Contract = tuple[Decimal, date | None]  # unit price, valid to
Item = tuple[int, Decimal]  # min quantity, unit price


def _lists_for(company: Company | None) -> list[tuple[int, str]]:
    """(id, name) of the lists a company's prices come from, in the order they are tried: its
    active assigned lists by priority, then the active default list. One query."""
    assigned = (
        Q(
            pk__in=Company.price_lists.through.objects.filter(company_id=company.pk).values(
                "pricelist_id"
            )
        )
        if company is not None
        else Q(pk__in=[])
    )
    rows = (
        PriceList.objects.filter(assigned | Q(is_default=True), active=True)
        .annotate(
            is_assigned=Exists(
                Company.price_lists.through.objects.filter(
                    pricelist_id=OuterRef("pk"), company_id=company.pk if company else -1
                )
            )
        )
        .values_list("pk", "name", "priority", "is_assigned")
    )
    ordered = sorted(rows, key=lambda r: (not r[3], r[2], r[0]))
    return [(pk, name) for pk, name, _, _ in ordered]


def price_many(
    *,
    company: Company | None,
    products: Iterable[Product],
    on: date,
    currency: str,
    quantity: int = 1,
    quantities: dict[int, int] | None = None,
) -> dict[int, PriceQuote]:
    """Quotes for many products at once, keyed by product id, in three queries whatever the
    number of products (contracts, the company's lists, their items)."""
    products = list(products)
    ids = [p.pk for p in products]
    quantities = quantities or {}
    contracts: dict[int, Contract] = {}
    if company is not None and ids:
        for product_id, unit_price, valid_to in (
            ContractPrice.objects.filter(company=company, product_id__in=ids, valid_from__lte=on)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
            .order_by("product_id", "-valid_from", "-id")
            .values_list("product_id", "unit_price", "valid_to")
        ):
            contracts.setdefault(product_id, (unit_price, valid_to))
    lists = _lists_for(company)
    rank = {pk: index for index, (pk, _) in enumerate(lists)}
    items: dict[int, dict[int, list[Item]]] = defaultdict(lambda: defaultdict(list))
    if lists and ids:
        for product_id, list_id, min_quantity, unit_price in (
            PriceListItem.objects.filter(price_list_id__in=list(rank), product_id__in=ids)
            .order_by("min_quantity")
            .values_list("product_id", "price_list_id", "min_quantity", "unit_price")
        ):
            items[product_id][list_id].append((min_quantity, unit_price))
    names = dict(lists)
    return {
        p.pk: _quote(
            p,
            quantities.get(p.pk, quantity),
            currency,
            contracts.get(p.pk),
            items.get(p.pk, {}),
            rank,
            names,
        )
        for p in products
    }


def _quote(
    product: Product,
    quantity: int,
    currency: str,
    contract: Contract | None,
    by_list: dict[int, list[Item]],
    rank: dict[int, int],
    names: dict[int, str],
) -> PriceQuote:
    if contract is not None:
        unit_price, valid_to = contract
        return PriceQuote(
            product.pk,
            quantity,
            currency,
            quantize_unit_price(unit_price),
            "contract",
            _contract_reason(valid_to),
            valid_to=valid_to,
        )
    for list_id in sorted(by_list, key=lambda pk: rank[pk]):
        rows = by_list[list_id]
        applicable = [row for row in rows if row[0] <= quantity]
        if not applicable:
            continue
        best_quantity, best_price = applicable[-1]
        breaks = tuple(PriceBreak(q, quantize_unit_price(price)) for q, price in rows)
        reason = (
            f"Volume price from {best_quantity} {product.unit}"
            if best_quantity > 1
            else f"Your price list “{names[list_id]}”"
        )
        return PriceQuote(
            product.pk,
            quantity,
            currency,
            quantize_unit_price(best_price),
            "price_list",
            reason,
            price_list=names[list_id],
            breaks=breaks,
        )
    if product.list_price is not None:
        return PriceQuote(
            product.pk,
            quantity,
            currency,
            quantize_unit_price(product.list_price),
            "list_price",
            "List price",
        )
    return PriceQuote(
        product.pk,
        quantity,
        currency,
        None,
        "none",
        "No price is set for this product yet, so it cannot be ordered. "
        "Ask your account manager for a quote.",
    )


def price_for(
    *, company: Company | None, product: Product, quantity: int, on: date, currency: str
) -> PriceQuote:
    """What ``company`` pays for ``quantity`` of ``product`` on ``on``, and why."""
    return price_many(
        company=company, products=[product], on=on, currency=currency, quantity=quantity
    )[product.pk]


# --- back-office reads -----------------------------------------------------------------------


def price_list_rows() -> QuerySet[PriceList]:
    """Every price list with its number of priced products and assigned companies."""
    return PriceList.objects.annotate(
        product_count=Count("items__product", distinct=True),
        company_count=Count("companies", distinct=True),
    ).order_by("priority", "name")


def price_list_items(price_list: PriceList, *, search: str = "") -> QuerySet[PriceListItem]:
    qs = PriceListItem.objects.filter(price_list=price_list).select_related("product")
    if search:
        qs = qs.filter(Q(product__sku__icontains=search) | Q(product__name__icontains=search))
    return qs.order_by("product__sku", "min_quantity")


def contract_prices(*, company: Company | None = None, search: str = "") -> QuerySet[ContractPrice]:
    qs = ContractPrice.objects.select_related("company", "product")
    if company is not None:
        qs = qs.filter(company=company)
    if search:
        qs = qs.filter(Q(product__sku__icontains=search) | Q(company__name__icontains=search))
    return qs.order_by("company__name", "product__sku", "-valid_from")


def product_by_sku(sku: str) -> Product | None:
    return Product.objects.filter(sku=sku.strip()).first()


def company_choices() -> list[tuple[str, str]]:
    return [
        (str(pid), name)
        for pid, name in Company.objects.order_by("name").values_list("public_id", "name")
    ]


def company_by_public_id(public_id: str) -> Company | None:
    try:
        return Company.objects.prefetch_related("price_lists").filter(public_id=public_id).first()
    except ValidationError:
        return None
