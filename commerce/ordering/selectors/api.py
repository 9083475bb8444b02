"""Reads the ordering API needs beyond the shared selectors: the cart's lines with their
availability and problems, a company's lists, a page of orders, an order with its lines,
shipments and timeline, and line positions resolved to lines.

Every function takes objects the caller already reached through ``access.py`` (or a membership),
so none of them decides who may see what.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import Count, F, Prefetch, QuerySet, prefetch_related_objects

from commerce.catalog.selectors.portal import Availability, availability_for
from commerce.customers.models import Membership
from commerce.ordering.errors import OrderingError, Problem
from commerce.ordering.models import (
    Order,
    OrderLine,
    RequisitionList,
    RequisitionListLine,
    Shipment,
    ShipmentLine,
)
from commerce.ordering.selectors import (
    DraftView,
    OrderFilters,
    TimelineEntry,
    buyer_cart,
    buyer_status,
    cart_items,
    draft_view,
    filter_orders,
    order_rows,
    timeline,
)
from commerce.ordering.validation import DraftLine
from commerce.selectors import portal_zone
from core.errors import NotFound

# --- the cart -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CartLineView:
    """One cart line as the buyer sees it: the priced draft line, its availability in the
    catalogue's words, and the problems that concern it."""

    draft: DraftLine
    availability: Availability
    problems: list[Problem]


def cart_view(membership: Membership) -> tuple[DraftView, list[CartLineView]]:
    """The member's cart priced and checked today, with each line's availability and problems."""
    draft = draft_view(membership, cart_items(buyer_cart(membership)))
    lines = [
        CartLineView(
            draft=line,
            availability=availability_for(
                available=line.available,
                lead_time_days=line.product.lead_time_days,
                orderable=line.product.active and line.visible and line.quote.orderable,
            ),
            problems=draft.line_problems.get(line.product.sku, []),
        )
        for line in draft.lines
    ]
    return draft, lines


# --- requisition lists ----------------------------------------------------------------------


def company_lists(membership: Membership) -> QuerySet[RequisitionList]:
    """The lists of the member's company, by name, each with ``line_count``."""
    return (
        RequisitionList.objects.filter(company_id=membership.company_id)
        .select_related("created_by")
        .annotate(line_count=Count("lines"))
        .order_by("name", "id")
    )


def list_items(requisition_list: RequisitionList) -> list[RequisitionListLine]:
    return list(
        RequisitionListLine.objects.filter(requisition_list=requisition_list)
        .select_related("product")
        .order_by("added_at", "id")
    )


# --- orders ---------------------------------------------------------------------------------


def order_page(
    orders: QuerySet[Order], filters: OrderFilters, *, page: int, per_page: int
) -> Page[Order]:
    """One page of ``orders`` narrowed by ``filters``, newest first, in three queries (count,
    rows with company and buyer, open lines for the "partly shipped" status). A page past the
    last is "not found"."""
    rows = order_rows(filter_orders(orders, filters, portal_zone())).prefetch_related(
        # Only the lines still to ship: ``buyer_status`` asks whether any is open.
        Prefetch("lines", queryset=OrderLine.objects.filter(quantity_shipped__lt=F("quantity")))
    )
    paginator = Paginator(rows, per_page)
    try:
        return paginator.page(page)
    except EmptyPage as exc:
        raise NotFound(f"There is no page {page}: the last page is {paginator.num_pages}.") from exc


@dataclass(frozen=True)
class OrderDetail:
    """An order with everything its page shows: lines (with their products), shipments (with
    their lines), the timeline over every axis and shipment, and the buyer's one-line status."""

    order: Order
    lines: list[OrderLine]
    shipments: list[Shipment]
    timeline: list[TimelineEntry]
    buyer_status: str


def _shipments() -> QuerySet[Shipment]:
    return Shipment.objects.prefetch_related(
        Prefetch(
            "lines",
            queryset=ShipmentLine.objects.select_related("line").order_by("line__position", "id"),
        )
    ).order_by("shipped_at", "id")


def order_shipments(order: Order) -> list[Shipment]:
    """The order's shipments, oldest first, each with its lines and their order lines."""
    return list(_shipments().filter(order=order))


def shipment_detail(shipment: Shipment) -> Shipment:
    """``shipment`` read afresh with its lines (as ``order_shipments`` gives them)."""
    return _shipments().get(pk=shipment.pk)


def _lines() -> Prefetch[Any]:
    return Prefetch(
        "lines", queryset=OrderLine.objects.select_related("product").order_by("position", "id")
    )


def order_detail(order: Order) -> OrderDetail:
    """``order`` (reached through ``access_order_by_id``) with its parts, read afresh."""
    fresh = (
        Order.objects.select_related("company", "placed_by")
        .prefetch_related(_lines())
        .get(pk=order.pk)
    )
    shipments = order_shipments(fresh)
    return OrderDetail(
        order=fresh,
        lines=list(fresh.lines.all()),
        shipments=shipments,
        timeline=timeline(fresh, shipments),
        buyer_status=buyer_status(fresh),
    )


def placed_order_detail(order: Order) -> OrderDetail:
    """The parts of an order ``order_place`` has just written and returned: its lines are the
    ones the service kept on it (no query), it has no shipment yet, and its timeline is read."""
    prefetch_related_objects([order], _lines())  # nothing to fetch when the service kept them
    return OrderDetail(
        order=order,
        lines=list(order.lines.all()),
        shipments=[],
        timeline=timeline(order, []),
        buyer_status=buyer_status(order),
    )


def order_line_ids(order: Order, positions: list[int]) -> list[int]:
    """The ids of the order's lines at these positions; an unknown position is refused."""
    found = dict(
        OrderLine.objects.filter(order=order, position__in=positions).values_list("position", "pk")
    )
    missing = sorted(set(positions) - set(found))
    if missing:
        raise OrderingError(
            "unknown_line",
            f"Order {order.number} has no line {', '.join(str(p) for p in missing)}.",
            field="lines",
        )
    return [found[position] for position in positions]
