"""Reads of ordering: priced drafts (cart, list, reorder), open order value, order lists with
their filters, the order page with its timeline, the supplier's queue, notifications.

Pricing always goes through ``commerce.pricing.selectors.price_many`` (three queries whatever the
number of lines), so the cart, checkout and the placed order agree to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Greatest

from commerce.catalog.models import Product, StockLevel
from commerce.catalog.selectors.portal import visible_products
from commerce.customers.models import Company, Membership
from commerce.models import PortalSettings
from commerce.ordering.choices import (
    OPEN_PROCESS_STATES,
    STATE_LABELS,
    UNSETTLED_PAYMENT_STATES,
    Axis,
    ProcessState,
    ValidationState,
)
from commerce.ordering.errors import Problem
from commerce.ordering.models import Cart, Notification, Order, OrderEvent, OrderLine, Shipment
from commerce.ordering.policies import DECIDING_ROLES, within_limit
from commerce.ordering.validation import CheckoutChoices, DraftLine, order_total, validate
from commerce.pricing.selectors import price_many
from commerce.selectors import portal_settings, portal_today
from core.ids import parse_uuid


def free_stock(product_ids: list[int]) -> dict[int, int]:
    """Units free to sell per product, over active warehouses (never below zero per row)."""
    rows = (
        StockLevel.objects.filter(product_id__in=product_ids, warehouse__active=True)
        .values("product_id")
        .annotate(free=Sum(Greatest(F("on_hand") - F("reserved"), 0)))
    )
    return {row["product_id"]: int(row["free"] or 0) for row in rows}


def eligible_approvers(company_id: int, total: Decimal, *, exclude_user_id: int) -> list[Any]:
    """Active members of the company who may decide an order of ``total``: approvers within
    their limit and company admins, never the person who placed it; by e-mail."""
    members = (
        Membership.objects.filter(
            company_id=company_id, role__in=DECIDING_ROLES, user__is_active=True
        )
        .exclude(user_id=exclude_user_id)
        .select_related("user")
        .order_by("user__email")
    )
    return [m.user for m in members if within_limit(m, total)]


def open_order_value(company: Company) -> Decimal:
    """What the company owes or will owe on orders placed and not cancelled or paid."""
    value = (
        Order.objects.filter(
            company=company,
            process_state__in=OPEN_PROCESS_STATES,
            payment_state__in=UNSETTLED_PAYMENT_STATES,
        )
        .aggregate(open=Sum(F("total") - F("amount_paid")))
        .get("open")
    )
    return value or Decimal("0")


def draft_lines(
    company: Company, items: list[tuple[Product, int]], *, today: date, currency: str
) -> list[DraftLine]:
    """Price and check availability of (product, quantity) pairs for ``company`` today."""
    products = [product for product, _ in items]
    ids = [p.pk for p in products]
    quotes = price_many(
        company=company,
        products=products,
        on=today,
        currency=currency,
        quantities={product.pk: quantity for product, quantity in items},
    )
    stock = free_stock(ids)
    if company.assortment_restricted:
        visible = set(visible_products(company).filter(pk__in=ids).values_list("pk", flat=True))
    else:  # every active product: no query needed
        visible = {p.pk for p in products if p.active}
    return [
        DraftLine(
            product=product,
            quantity=quantity,
            quote=quotes[product.pk],
            available=stock.get(product.pk, 0),
            visible=product.pk in visible,
        )
        for product, quantity in items
    ]


@dataclass(frozen=True)
class DraftView:
    """A priced, validated draft: the cart, or a checkout about to be placed."""

    company: Company
    currency: str
    today: date
    lines: list[DraftLine]
    problems: list[Problem]
    total: Decimal
    open_value: Decimal
    line_problems: dict[str, list[Problem]] = field(default_factory=dict)

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def can_place(self) -> bool:
        return bool(self.lines) and not self.blocking

    @property
    def order_problems(self) -> list[Problem]:
        """Problems that concern the whole order rather than one line."""
        return [p for p in self.problems if p.line is None]

    @property
    def credit_available(self) -> Decimal:
        return self.company.credit_limit - self.open_value


def cart_items(cart: Cart | None) -> list[tuple[Product, int]]:
    if cart is None:
        return []
    return [
        (line.product, line.quantity)
        for line in cart.lines.select_related("product").order_by("added_at", "id")
    ]


def buyer_cart(membership: Membership) -> Cart | None:
    return Cart.objects.filter(user_id=membership.user_id).first()


def draft_view(
    membership: Membership,
    items: list[tuple[Product, int]],
    *,
    checkout: CheckoutChoices | None = None,
    company: Company | None = None,
    settings_row: PortalSettings | None = None,
) -> DraftView:
    """Price, check and total ``items`` for the member's company (pass ``company`` when the
    caller holds it locked)."""
    settings_row = settings_row or portal_settings()
    today = portal_today(settings_row)
    company = company or membership.company
    lines = draft_lines(company, items, today=today, currency=settings_row.currency)
    open_value = open_order_value(company)
    problems = validate(
        company=company,
        lines=lines,
        today=today,
        open_value=open_value,
        currency=settings_row.currency,
        checkout=checkout,
    )
    by_line: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        if problem.line:
            by_line[problem.line].append(problem)
    return DraftView(
        company=company,
        currency=settings_row.currency,
        today=today,
        lines=lines,
        problems=problems,
        total=order_total(lines, settings_row.currency),
        open_value=open_value,
        line_problems=dict(by_line),
    )


# --- orders -----------------------------------------------------------------------------------


BUYER_STATUS: dict[str, str] = {
    ProcessState.DRAFT: "Draft",
    ProcessState.AWAITING_APPROVAL: "Waiting for your approver",
    ProcessState.RECEIVED: "Received by the supplier",
    ProcessState.IN_VALIDATION: "Being checked by the supplier",
    ProcessState.CONFIRMED: "Confirmed, being prepared",
    ProcessState.IN_DISPATCH: "On its way",
    ProcessState.DELIVERED: "Delivered",
    ProcessState.CANCELLED: "Cancelled",
}


def buyer_status(order: Order) -> str:
    """One plain-language status from the three axes."""
    if order.process_state == ProcessState.CANCELLED:
        if order.validation_state == ValidationState.REJECTED:
            return "Rejected by the supplier"
        if order.decision_comment and order.approved_by_id is None:
            return "Rejected by your approver"
        return "Cancelled"
    status = BUYER_STATUS[order.process_state]
    if order.process_state == ProcessState.IN_DISPATCH:
        partly = any(line.quantity_open for line in order.lines.all())
        status = "Partly shipped" if partly else "Shipped"
    if (
        order.payment_state in UNSETTLED_PAYMENT_STATES  # it ships only once paid in full
        and order.payment_terms == "prepayment"
        and order.process_state == ProcessState.CONFIRMED
    ):
        status = "Confirmed, waiting for your payment"
    return status


@dataclass(frozen=True)
class OrderFilters:
    """The orders list's filters (buyer and supplier alike); empty means "any"."""

    search: str = ""  # order number or PO number
    date_from: date | None = None
    date_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    product: str = ""  # SKU, exact
    status: str = ""  # a process state
    po_number: str = ""
    buyer: str = ""  # e-mail, exact
    cost_centre: str = ""  # code
    company: str = ""  # company public id (supplier side)


def filter_orders(  # noqa: C901  (one line per filter)
    orders: QuerySet[Order], filters: OrderFilters, tz: Any
) -> QuerySet[Order]:
    if filters.search:
        orders = orders.filter(
            Q(number__icontains=filters.search) | Q(po_number__icontains=filters.search)
        )
    if filters.date_from:
        start = datetime.combine(filters.date_from, datetime.min.time(), tzinfo=tz)
        orders = orders.filter(created_at__gte=start)
    if filters.date_to:
        end = datetime.combine(filters.date_to, datetime.max.time(), tzinfo=tz)
        orders = orders.filter(created_at__lte=end)
    if filters.amount_min is not None:
        orders = orders.filter(total__gte=filters.amount_min)
    if filters.amount_max is not None:
        orders = orders.filter(total__lte=filters.amount_max)
    if filters.product:
        orders = orders.filter(pk__in=_orders_with_sku(filters.product))
    if filters.status:
        orders = orders.filter(process_state=filters.status)
    if filters.po_number:
        orders = orders.filter(po_number__iexact=filters.po_number)
    if filters.buyer:
        orders = orders.filter(placed_by__email__iexact=filters.buyer)
    if filters.cost_centre:
        orders = orders.filter(cost_centre_code__iexact=filters.cost_centre)
    if filters.company:
        company_id = parse_uuid(filters.company)  # hand-edited: "no such company", not an error
        if company_id is None:
            return orders.none()
        orders = orders.filter(company__public_id=company_id)
    return orders


def _orders_with_sku(sku: str) -> QuerySet[Any]:
    return OrderLine.objects.filter(sku__iexact=sku).values("order_id")


def order_rows(orders: QuerySet[Order]) -> QuerySet[Order]:
    """What a list of orders shows, in one query."""
    return orders.select_related("company", "placed_by").order_by("-created_at", "-id")


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    axis: str
    title: str
    actor: str
    comment: str = ""
    link: str = ""


# The buyer reads the timeline in their own words: what happened to their order, not the
# supplier's work queue. Moves not listed keep the supplier's label.
BUYER_EVENT_TITLES: dict[tuple[str, str], str] = {
    (Axis.PROCESS, ProcessState.AWAITING_APPROVAL): "Sent to your approver",
    (Axis.PROCESS, ProcessState.RECEIVED): "Sent to the supplier",
    (Axis.PROCESS, ProcessState.IN_VALIDATION): "Being checked by the supplier",
    (Axis.PROCESS, ProcessState.CONFIRMED): "Confirmed by the supplier",
    (Axis.PROCESS, ProcessState.IN_DISPATCH): "Shipped",
    (Axis.PROCESS, ProcessState.DELIVERED): "Delivered",
    (Axis.PROCESS, ProcessState.CANCELLED): "Cancelled",
    (Axis.VALIDATION, ValidationState.APPROVED): "Accepted by the supplier",
    (Axis.VALIDATION, ValidationState.REJECTED): "Rejected by the supplier",
    (Axis.PAYMENT, "proforma_issued"): "Pro-forma invoice issued",
    (Axis.PAYMENT, "partially_paid"): "Part payment received",
    (Axis.PAYMENT, "paid"): "Paid in full",
    (Axis.PAYMENT, "refunded"): "Refunded",
}


def timeline(
    order: Order, shipments: list[Shipment] | None = None, *, for_buyer: bool = False
) -> list[TimelineEntry]:
    """Every move on every axis and every shipment, oldest first (pass the order's shipments
    when they are loaded already). ``for_buyer``: titles in the buyer's words, and the move to
    dispatch left out when a shipment entry (with its carrier and tracking) tells it already."""
    if shipments is None:
        shipments = list(Shipment.objects.filter(order=order).order_by("shipped_at", "id"))
    events = OrderEvent.objects.filter(order=order).order_by("created_at", "id")
    entries = [
        TimelineEntry(
            at=event.created_at,
            axis=event.axis,
            title=_event_title(event, for_buyer=for_buyer),
            actor=event.actor_label,
            comment=event.comment,
        )
        for event in events
        if not (for_buyer and shipments and event.to_state == ProcessState.IN_DISPATCH)
    ]
    for shipment in shipments:
        entries.append(
            TimelineEntry(
                at=shipment.shipped_at,
                axis="shipment",
                title=f"Shipped with {shipment.carrier_name}"
                + (f", tracking {shipment.tracking_number}" if shipment.tracking_number else ""),
                actor="",
                link=shipment.tracking_url,
            )
        )
    return sorted(entries, key=lambda entry: entry.at)


def _event_title(event: OrderEvent, *, for_buyer: bool = False) -> str:
    if for_buyer and (event.axis, event.to_state) in BUYER_EVENT_TITLES:
        return BUYER_EVENT_TITLES[(event.axis, event.to_state)]
    labels = STATE_LABELS.get(event.axis, {})
    to = labels.get(event.to_state, event.to_state)
    if event.axis == Axis.PROCESS:
        return to
    return f"{Axis(event.axis).label}: {to.lower()}"


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")
