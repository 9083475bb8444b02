"""Reads of the buyer portal's ordering pages: the nav counts, the cart, lists, checkout
choices, the order history with its filters, one order with its shipments, the approver's queue
and the inbox. Everything is scoped to the buyer's own company (or, for the inbox and the
cart, to the user)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects
from django.db.models.functions import Upper

from commerce.catalog.models import Product
from commerce.catalog.selectors.portal import visible_products
from commerce.customers.choices import MemberRole, PaymentTerms
from commerce.customers.models import Company, CostCentre, DeliveryAddress, Membership
from commerce.ordering.choices import CANCELLABLE_BY_BUYER, ProcessState
from commerce.ordering.errors import Problem
from commerce.ordering.models import (
    Cart,
    CartLine,
    Notification,
    Order,
    OrderLine,
    RequisitionList,
    Shipment,
    ShipmentLine,
)
from commerce.ordering.policies import DECIDING_ROLES, can_decide
from commerce.ordering.selectors import (
    DraftView,
    OrderFilters,
    TimelineEntry,
    buyer_status,
    cart_items,
    draft_lines,
    draft_view,
    filter_orders,
    timeline,
)
from commerce.ordering.validation import DraftLine
from commerce.selectors import portal_settings, portal_today
from core.money import format_money

# --- the nav ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavCounts:
    cart_lines: int
    unread: int


def nav_counts(membership: Membership) -> NavCounts:
    """Lines in the member's cart (for their current company) and unread notifications, in
    one small query."""
    sql = (  # table names from the models, values as parameters
        "SELECT "  # noqa: S608
        f"(SELECT COUNT(*) FROM {CartLine._meta.db_table} l "
        f"JOIN {Cart._meta.db_table} c ON c.id = l.cart_id "
        "WHERE c.user_id = %s AND c.company_id = %s), "
        f"(SELECT COUNT(*) FROM {Notification._meta.db_table} n "
        "WHERE n.user_id = %s AND n.read_at IS NULL)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [membership.user_id, membership.company_id, membership.user_id])
        cart_lines, unread = cursor.fetchone()
    return NavCounts(cart_lines=int(cart_lines), unread=int(unread))


# --- problems next to what they concern -------------------------------------------------------


@dataclass
class PlacedProblems:
    """Problems sorted to where the page shows them: next to a line (by SKU), next to a form
    field, or above everything."""

    by_line: dict[str, list[Problem]] = field(default_factory=dict)
    by_field: dict[str, list[Problem]] = field(default_factory=dict)
    general: list[Problem] = field(default_factory=list)

    @property
    def blocking(self) -> list[Problem]:
        everything = [p for group in self.by_line.values() for p in group]
        everything += [p for group in self.by_field.values() for p in group if not p.line]
        return [p for p in everything + self.general if p.blocking]


def place_problems(problems: list[Problem], *, hide: set[str] | None = None) -> PlacedProblems:
    """Sort problems to lines, fields and the general list (``hide``: codes left out, such as
    "your cart is empty" on a page that says so anyway)."""
    by_line: dict[str, list[Problem]] = defaultdict(list)
    by_field: dict[str, list[Problem]] = defaultdict(list)
    general: list[Problem] = []
    for problem in problems:
        if hide and problem.code in hide:
            continue
        if problem.line:
            by_line[problem.line].append(problem)
        if problem.field:
            by_field[problem.field].append(problem)
        if not problem.line and not problem.field:
            general.append(problem)
    return PlacedProblems(dict(by_line), dict(by_field), general)


# --- cart -------------------------------------------------------------------------------------


def my_cart(membership: Membership) -> Cart | None:
    """The member's cart, if it belongs to their current company (a cart left from another
    company reads as empty; the next change starts it afresh)."""
    cart = Cart.objects.filter(user_id=membership.user_id).first()
    if cart is None or cart.company_id != membership.company_id:
        return None
    return cart


def cart_view(membership: Membership) -> DraftView:
    """The member's cart, priced and checked (no checkout choices)."""
    return draft_view(membership, cart_items(my_cart(membership)))


def visible_product_by_sku(membership: Membership, sku: str) -> Product | None:
    """The product with this SKU (any case) that the member's company may order, or None."""
    wanted = sku.strip().upper()
    if not wanted:
        return None
    return (
        visible_products(membership.company)
        .annotate(sku_upper=Upper("sku"))
        .filter(sku_upper=wanted)
        .first()
    )


# --- lists ------------------------------------------------------------------------------------


def company_lists(membership: Membership) -> QuerySet[RequisitionList]:
    """The company's saved lists with their number of lines, by name."""
    return (
        RequisitionList.objects.filter(company_id=membership.company_id)
        .annotate(line_count=Count("lines"))
        .select_related("created_by")
        .order_by("name", "id")
    )


def list_draft(membership: Membership, requisition_list: RequisitionList) -> list[DraftLine]:
    """A list's lines priced for the company today (products it may no longer order show as
    such)."""
    items = [
        (line.product, line.quantity)
        for line in requisition_list.lines.select_related("product").order_by("added_at", "id")
    ]
    settings_row = portal_settings()
    return draft_lines(
        membership.company,
        items,
        today=portal_today(settings_row),
        currency=settings_row.currency,
    )


# --- checkout ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutOptions:
    addresses: list[DeliveryAddress]
    cost_centres: list[CostCentre]

    @property
    def default_address(self) -> DeliveryAddress | None:
        return next((a for a in self.addresses if a.is_default), None) or next(
            iter(self.addresses), None
        )


def checkout_options(company: Company) -> CheckoutOptions:
    return CheckoutOptions(
        addresses=list(DeliveryAddress.objects.filter(company=company, active=True)),
        cost_centres=list(CostCentre.objects.filter(company=company, active=True)),
    )


def payment_text(company: Company) -> str:
    """How the order will be paid, in the words the checkout shows."""
    if company.payment_terms == PaymentTerms.NET:
        days = company.net_days or 0
        return f"On invoice, due in {days} day{'s' if days != 1 else ''}."
    if company.payment_terms == PaymentTerms.CARD:
        return "By card, after the supplier confirms the order."
    return "Pay after confirmation: you receive a pro-forma invoice; the order ships once paid."


# --- orders -----------------------------------------------------------------------------------


def _status_lines() -> Prefetch[Any]:
    """The lines ``buyer_status`` looks at (shipped or not), without the rest of each line."""
    return Prefetch(
        "lines", queryset=OrderLine.objects.only("id", "order_id", "quantity", "quantity_shipped")
    )


def company_orders(membership: Membership, filters: OrderFilters, tz: Any) -> QuerySet[Order]:
    """The company's orders matching ``filters`` (dates in ``tz``, the portal's time zone),
    newest first, with the buyer and what the one-line status needs: one query for the page
    and one for the lines of its orders."""
    orders = Order.objects.filter(company_id=membership.company_id).exclude(
        process_state=ProcessState.DRAFT
    )
    orders = filter_orders(orders, filters, tz)
    return (
        orders.select_related("placed_by")
        .prefetch_related(_status_lines())
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class OrderPage:
    """What the order page shows besides the order itself."""

    order: Order
    lines: list[OrderLine]
    shipments: list[Shipment]
    timeline: list[TimelineEntry]
    status: str  # the buyer's one-line status, or "Waiting for your approval" for a decider
    can_decide: bool
    can_cancel: bool
    can_reorder: bool

    @property
    def total_display(self) -> str:
        return format_money(self.order.total, self.order.currency)


def order_page(membership: Membership, order: Order) -> OrderPage:
    """One order of the member's company: its lines, shipments (with what each carried), the
    timeline, and which actions this member has."""
    prefetch_related_objects(
        [order], Prefetch("lines", queryset=OrderLine.objects.order_by("position", "id"))
    )
    lines = list(order.lines.all())
    shipments = list(
        Shipment.objects.filter(order=order)
        .prefetch_related(
            Prefetch("lines", queryset=ShipmentLine.objects.select_related("line").order_by("id"))
        )
        .order_by("shipped_at", "id")
    )
    orders_role = membership.role in {
        MemberRole.BUYER,
        MemberRole.APPROVER,
        MemberRole.COMPANY_ADMIN,
    }
    deciding = order.process_state == ProcessState.AWAITING_APPROVAL and can_decide(
        membership, order
    )
    return OrderPage(
        order=order,
        lines=lines,
        shipments=shipments,
        timeline=timeline(order, shipments, for_buyer=True),
        status="Waiting for your approval" if deciding else buyer_status(order),
        can_decide=deciding,
        can_cancel=orders_role
        and order.process_state in CANCELLABLE_BY_BUYER
        and (
            order.placed_by_id == membership.user_id or membership.role == MemberRole.COMPANY_ADMIN
        ),
        can_reorder=orders_role,
    )


def awaiting_my_decision(membership: Membership) -> QuerySet[Order]:
    """Orders of the member's company waiting for approval that this member may decide: not
    their own, and (for approvers with a limit) within it. Nothing for other roles."""
    if membership.role not in DECIDING_ROLES:
        return Order.objects.none()
    orders = Order.objects.filter(
        company_id=membership.company_id, process_state=ProcessState.AWAITING_APPROVAL
    ).exclude(placed_by_id=membership.user_id)
    if membership.role == MemberRole.APPROVER and membership.approval_limit is not None:
        orders = orders.filter(total__lte=membership.approval_limit)
    return orders.select_related("placed_by").order_by("submitted_at", "id")


def may_decide_some(membership: Membership) -> bool:
    return membership.role in DECIDING_ROLES


# --- inbox ------------------------------------------------------------------------------------


def my_notifications(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user.pk).order_by("-created_at", "-id")


def unread_total(user: Any) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()
