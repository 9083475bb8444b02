"""Reads of the supplier's back office for orders: the queue with its counts by state, the CSV
export, the order page (lines, reservations, shipments, timeline), what the current staff role
may do next, the carriers, and the number of orders waiting for a validator.

Every read here runs a fixed number of queries whatever the number of orders or lines.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet

from commerce.customers.models import Company
from commerce.ordering.choices import (
    PROCESS_TRANSITIONS,
    UNSETTLED_PAYMENT_STATES,
    Axis,
    PaymentState,
    ProcessState,
    ValidationState,
)
from commerce.ordering.models import (
    Carrier,
    Order,
    OrderLine,
    Shipment,
    ShipmentLine,
    StockReservation,
)
from commerce.ordering.policies import DISPATCHERS, FINANCE, VALIDATORS, staff_can
from commerce.ordering.rules import NO_PAYMENTS, VALIDATABLE, cross_axis_refusal
from commerce.ordering.selectors import (
    OrderFilters,
    TimelineEntry,
    buyer_status,
    filter_orders,
    order_rows,
    timeline,
)
from sso.choices import StaffRole

# The queue's tabs, in the order work flows through them (drafts never reach the supplier;
# orders waiting for the buyer's own approver come before the supplier's work).
QUEUE_STATES: list[ProcessState] = [
    ProcessState.AWAITING_APPROVAL,
    ProcessState.RECEIVED,
    ProcessState.IN_VALIDATION,
    ProcessState.CONFIRMED,
    ProcessState.IN_DISPATCH,
    ProcessState.DELIVERED,
    ProcessState.CANCELLED,
]
QUEUE_LABELS = {ProcessState.AWAITING_APPROVAL: "At the buyer's approver"}
CARRIER_MANAGERS = {StaffRole.ADMINISTRATOR, StaffRole.DISPATCHER}


def placed_orders() -> QuerySet[Order]:
    """Every order that left the buyer's cart (drafts are never shown to the supplier)."""
    return Order.objects.exclude(process_state=ProcessState.DRAFT)


def waiting_for_validation() -> int:
    """Orders received and not yet looked at by a validator (the back-office nav badge)."""
    return Order.objects.filter(process_state=ProcessState.RECEIVED).count()


@dataclass(frozen=True)
class StateTab:
    state: str  # "" for every state
    label: str
    count: int
    current: bool


def queue_tabs(filters: OrderFilters, tz: Any) -> list[StateTab]:
    """ "All" and one tab per state, each counted under the other filters, in one query."""
    rows = (
        filter_orders(placed_orders(), replace(filters, status=""), tz)
        .order_by()
        .values_list("process_state")
        .annotate(n=Count("id"))
    )
    counts: dict[str, int] = {state: n for state, n in rows}
    tabs = [StateTab("", "All", sum(counts.values()), filters.status == "")]
    tabs += [
        StateTab(
            state.value,
            QUEUE_LABELS.get(state, state.label),
            counts.get(state.value, 0),
            filters.status == state,
        )
        for state in QUEUE_STATES
    ]
    return tabs


class CountedPaginator(Paginator):
    """A paginator told its count (the queue's tabs counted it already: no second COUNT)."""

    def __init__(self, object_list: Any, per_page: int, count: int) -> None:
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # the cached_property's slot


def queue_page(filters: OrderFilters, tz: Any, tabs: list[StateTab], number: Any) -> Any:
    """One page of the queue (the rows in one query; the count comes from the tabs)."""
    orders = order_rows(filter_orders(placed_orders(), filters, tz))
    current = next((tab.count for tab in tabs if tab.current), None)
    paginator = (
        CountedPaginator(orders, 25, current) if current is not None else Paginator(orders, 25)
    )
    return paginator.get_page(number)


def queue_export(filters: OrderFilters, tz: Any) -> QuerySet[Order]:
    return order_rows(filter_orders(placed_orders(), filters, tz)).select_related("cost_centre")


def company_choices() -> list[tuple[str, str]]:
    return [
        (str(public_id), name)
        for public_id, name in Company.objects.order_by("name", "id").values_list(
            "public_id", "name"
        )
    ]


CSV_HEADER = [
    "number",
    "placed_at",
    "company",
    "company_ref",
    "buyer",
    "po_number",
    "cost_centre",
    "process_state",
    "validation_state",
    "payment_state",
    "currency",
    "total",
    "amount_paid",
    "requested_delivery_date",
]


def _cell(value: Any) -> str:
    """Text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def order_csv(orders: Iterable[Order], tz: Any) -> Iterator[str]:
    """CSV lines (header first) of the queue's orders, times in the supplier's zone."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return value

    writer.writerow(CSV_HEADER)
    yield flush()
    for order in orders:
        row = [
            order.number,
            order.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            order.company.name,
            order.company.external_ref,
            order.placed_by.email,
            order.po_number,
            order.cost_centre_code,
            order.process_state,
            order.validation_state,
            order.payment_state,
            order.currency,
            order.total,
            order.amount_paid,
            order.requested_delivery_date or "",
        ]
        writer.writerow([_cell(value) for value in row])
        yield flush()


# --- the order page ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffActions:
    """What the current staff member may do with the order now (role and state together)."""

    validate: bool = False
    reject: bool = False
    confirm: bool = False
    ship: bool = False
    deliver: bool = False
    cancel: bool = False
    payment: bool = False
    proforma: bool = False
    ship_blocked: str = ""  # why dispatch is refused now (prepayment unpaid, account on hold)

    @property
    def any(self) -> bool:
        return any(
            (
                self.validate,
                self.reject,
                self.confirm,
                self.ship,
                self.deliver,
                self.cancel,
                self.payment,
                self.proforma,
            )
        )


def staff_actions(actor: Any, order: Order, lines: list[OrderLine]) -> StaffActions:
    """The buttons to show: the role may do it (``policies``) and the state allows it."""
    state = order.process_state
    validator = staff_can(actor, VALIDATORS)
    dispatcher = staff_can(actor, DISPATCHERS)
    finance = staff_can(actor, FINANCE)
    pending = order.validation_state == ValidationState.PENDING_CHECK
    open_units = any(line.quantity_open for line in lines)
    shippable = state in {ProcessState.CONFIRMED, ProcessState.IN_DISPATCH} and open_units
    takes_payment = (
        state not in NO_PAYMENTS
        and order.payment_state in UNSETTLED_PAYMENT_STATES
        and order.total > order.amount_paid
    )
    blocked = ""
    if dispatcher and state == ProcessState.CONFIRMED:
        blocked = cross_axis_refusal(order, Axis.PROCESS, ProcessState.IN_DISPATCH) or ""
    return StaffActions(
        validate=validator and pending and state in VALIDATABLE,
        reject=validator and pending and state in VALIDATABLE,
        confirm=validator
        and state == ProcessState.IN_VALIDATION
        and order.validation_state == ValidationState.APPROVED,
        ship=dispatcher and shippable,
        deliver=dispatcher and state == ProcessState.IN_DISPATCH and not open_units,
        cancel=validator
        and state != ProcessState.DRAFT
        and ProcessState.CANCELLED in PROCESS_TRANSITIONS[state],
        payment=finance and takes_payment,
        proforma=finance and takes_payment and order.payment_state == PaymentState.UNPAID,
        ship_blocked=blocked,
    )


@dataclass(frozen=True)
class OrderPage:
    """Everything the back-office order page shows."""

    order: Order
    lines: list[OrderLine]
    shipments: list[Shipment]
    timeline: list[TimelineEntry]
    status: str
    amount_due: Decimal

    @property
    def reservations(self) -> list[StockReservation]:
        return [r for line in self.lines for r in line.reservations.all()]


def order_page(order: Order) -> OrderPage:
    """The order with its lines (and their stock reservations), shipments (and their lines)
    and timeline: a fixed number of queries whatever the size of the order."""
    full = (
        Order.objects.select_related("company", "placed_by", "approved_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.order_by("position", "id").prefetch_related(
                    Prefetch(
                        "reservations",
                        queryset=StockReservation.objects.select_related(
                            "stock__warehouse"
                        ).order_by("id"),
                    )
                ),
            ),
            Prefetch(
                "shipments",
                queryset=Shipment.objects.select_related("created_by")
                .prefetch_related(
                    Prefetch("lines", queryset=ShipmentLine.objects.select_related("line"))
                )
                .order_by("shipped_at", "id"),
            ),
        )
        .get(pk=order.pk)
    )
    return OrderPage(
        order=full,
        lines=list(full.lines.all()),
        shipments=list(full.shipments.all()),
        timeline=timeline(full),
        status=buyer_status(full),
        amount_due=full.total - full.amount_paid,
    )


# --- carriers ---------------------------------------------------------------------------------


def carrier_rows() -> QuerySet[Carrier]:
    return Carrier.objects.order_by("-active", "name")


def active_carriers() -> list[Carrier]:
    return list(Carrier.objects.filter(active=True).order_by("name"))


def can_manage_carriers(actor: Any) -> bool:
    return staff_can(actor, CARRIER_MANAGERS)
