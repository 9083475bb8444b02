"""The supplier's side of an order: validate or reject, confirm (reserving stock), ship in one or
more shipments, mark delivered, and record payments.

Each service locks the order row first; confirming also locks the stock rows of its products in
product order (so two confirmations never deadlock) and refuses, reserving nothing, when free
stock does not cover every line: two orders racing for the last units cannot both be confirmed.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.services import audit_record
from commerce.catalog.cache import catalogue_changed
from commerce.catalog.models import StockLevel
from commerce.ordering.access import access_order_by_id
from commerce.ordering.cache import orders_changed
from commerce.ordering.choices import (
    Axis,
    NotificationKind,
    PaymentState,
    ProcessState,
    ValidationState,
)
from commerce.ordering.errors import OrderingError, StockShort, TransitionRefused
from commerce.ordering.models import (
    Carrier,
    Order,
    OrderLine,
    Shipment,
    ShipmentLine,
    StockReservation,
)
from commerce.ordering.policies import require_dispatcher, require_finance, require_validator
from commerce.ordering.rules import cross_axis_refusal
from commerce.ordering.services.notifications import tell_buyer
from commerce.ordering.services.transitions import move
from core.ids import parse_uuid
from core.money import format_money, quantize


def _supplier_name() -> str:
    from branding.selectors import theme_for_current_tenant

    return theme_for_current_tenant().display_name


def order_validate(*, actor: Any, order: Order, comment: str = "") -> Order:
    """The validator accepts the order (received → in validation, validation → approved)."""
    require_validator(actor)
    with transaction.atomic():
        locked = access_order_by_id(actor, order.public_id, for_update=True)
        if locked.process_state == ProcessState.RECEIVED:
            move(locked, Axis.PROCESS, ProcessState.IN_VALIDATION, actor=actor)
        move(locked, Axis.VALIDATION, ValidationState.APPROVED, actor=actor, comment=comment)
        tell_buyer(locked, NotificationKind.VALIDATED, body=comment, supplier=_supplier_name())
    return locked


def order_reject(*, actor: Any, order: Order, reason: str) -> Order:
    """The validator refuses the order; the reason (required) is shown to the buyer."""
    require_validator(actor)
    text = reason.strip()
    if not text:
        raise TransitionRefused(
            "reason_required", "Say why the order is rejected: the buyer sees it.", field="reason"
        )
    with transaction.atomic():
        locked = access_order_by_id(actor, order.public_id, for_update=True)
        move(locked, Axis.VALIDATION, ValidationState.REJECTED, actor=actor, comment=text)
        locked.rejection_reason = text
        locked.save(update_fields=["rejection_reason", "updated_at"])
        move(locked, Axis.PROCESS, ProcessState.CANCELLED, actor=actor, comment=text)
        tell_buyer(
            locked, NotificationKind.VALIDATION_REJECTED, body=text, supplier=_supplier_name()
        )
    return locked


def order_confirm(*, actor: Any, order: Order) -> Order:
    """Confirm a validated order and reserve its stock; refuses (nothing reserved) when free
    stock does not cover every line, naming each short line."""
    require_validator(actor)
    with transaction.atomic():
        locked = access_order_by_id(actor, order.public_id, for_update=True)
        move(locked, Axis.PROCESS, ProcessState.CONFIRMED, actor=actor)
        _reserve(locked)
        tell_buyer(locked, NotificationKind.CONFIRMED)
        catalogue_changed()
    return locked


def _reserve(order: Order) -> None:
    lines = list(order.lines.order_by("product_id", "position"))
    levels: dict[int, list[StockLevel]] = defaultdict(list)
    for level in (
        StockLevel.objects.select_for_update(of=("self",))
        .filter(product_id__in={line.product_id for line in lines}, warehouse__active=True)
        .order_by("product_id", "warehouse_id")
    ):
        levels[level.product_id].append(level)
    short = []
    plan: list[tuple[OrderLine, StockLevel, int]] = []
    for line in lines:
        needed = line.quantity
        for level in levels[line.product_id]:
            free = level.on_hand - level.reserved
            take = min(max(free, 0), needed)
            if take:
                plan.append((line, level, take))
                level.reserved += take
                needed -= take
        if needed:
            free = line.quantity - needed
            short.append(f"{line.sku} needs {line.quantity}, {free} free")
    if short:
        raise StockShort(
            "stock_short",
            "Not enough free stock to confirm: " + "; ".join(short) + ". Nothing was reserved.",
        )
    for line, level, take in plan:
        StockLevel.objects.filter(pk=level.pk).update(reserved=F("reserved") + take)
        StockReservation.objects.create(line=line, stock=level, quantity=take)


def _tracking_url(carrier: Carrier, tracking_number: str) -> str:
    if not tracking_number:
        return ""
    return carrier.tracking_url_template.replace("{tracking}", quote(tracking_number, safe=""))


def shipment_create(
    *,
    actor: Any,
    order: Order,
    carrier_id: Any,
    tracking_number: str = "",
    quantities: dict[int, int] | None = None,
) -> Shipment:
    """Ship some or all open quantities (``quantities`` maps line position → units; None ships
    everything open). The first shipment moves the order to dispatch (which the cross-axis
    rules may refuse: prepayment not paid, account on hold). Stock leaves the warehouse and the
    reservation is used up."""
    require_dispatcher(actor)
    with transaction.atomic():
        locked = access_order_by_id(actor, order.public_id, for_update=True)
        if locked.process_state == ProcessState.CONFIRMED:
            move(locked, Axis.PROCESS, ProcessState.IN_DISPATCH, actor=actor)
        elif locked.process_state != ProcessState.IN_DISPATCH:
            raise TransitionRefused(
                "not_shippable",
                f"Order {locked.number} is {locked.get_process_state_display().lower()}: only "
                "confirmed orders ship.",
            )
        carrier = _carrier(carrier_id)
        lines = {line.position: line for line in locked.lines.select_for_update().all()}
        plan = _shipment_plan(lines, quantities)
        tracking = tracking_number.strip()
        shipment = Shipment.objects.create(
            order=locked,
            carrier=carrier,
            carrier_name=carrier.name,
            tracking_number=tracking,
            tracking_url=_tracking_url(carrier, tracking),
            shipped_at=timezone.now(),
            created_by=actor,
        )
        for line, quantity in plan:
            ShipmentLine.objects.create(shipment=shipment, line=line, quantity=quantity)
            OrderLine.objects.filter(pk=line.pk).update(
                quantity_shipped=F("quantity_shipped") + quantity
            )
        # Stock rows in product order, as confirmation locks them (no deadlock between the two).
        for line, quantity in sorted(plan, key=lambda item: (item[0].product_id, item[0].pk)):
            _consume(line, quantity)
        audit_record(
            action="order.shipped",
            actor=actor,
            obj=locked,
            details={
                "shipment": str(shipment.public_id),
                "carrier": carrier.name,
                "tracking": tracking,
                "lines": {line.sku: quantity for line, quantity in plan},
            },
        )
        orders_changed(locked.company_id)
        tell_buyer(
            locked,
            NotificationKind.DISPATCHED,
            body=f"{carrier.name}" + (f", tracking number {tracking}" if tracking else ""),
            tracking_url=shipment.tracking_url,
        )
        catalogue_changed()
    return shipment


def _carrier(carrier_id: Any) -> Carrier:
    parsed = parse_uuid(carrier_id)
    carrier = Carrier.objects.filter(public_id=parsed, active=True).first() if parsed else None
    if carrier is None:
        raise OrderingError("carrier_required", "Choose a carrier.", field="carrier")
    return carrier


def _shipment_plan(
    lines: dict[int, OrderLine], quantities: dict[int, int] | None
) -> list[tuple[OrderLine, int]]:
    if quantities is None:
        plan = [(line, line.quantity_open) for line in lines.values() if line.quantity_open]
    else:
        plan = []
        for position, quantity in sorted(quantities.items()):
            line = lines.get(position)
            if line is None:
                raise OrderingError("unknown_line", f"The order has no line {position}.")
            if quantity < 0:
                raise OrderingError("quantity_invalid", f"Line {position}: ship 0 or more.")
            if quantity > line.quantity_open:
                raise OrderingError(
                    "over_shipped",
                    f"Line {position} ({line.sku}): {line.quantity_open} left to ship, "
                    f"not {quantity}.",
                )
            if quantity:
                plan.append((line, quantity))
    if not plan:
        raise OrderingError("nothing_to_ship", "Choose at least one unit to ship.")
    return plan


def _consume(line: OrderLine, quantity: int) -> None:
    """Take shipped units out of stock, from the line's reservations first."""
    left = quantity
    for reservation in (
        StockReservation.objects.select_for_update(of=("self",))
        .filter(line=line)
        .order_by("stock__warehouse_id", "id")
    ):
        take = min(reservation.quantity, left)
        if not take:
            break
        StockLevel.objects.filter(pk=reservation.stock_id).update(
            on_hand=F("on_hand") - take, reserved=F("reserved") - take
        )
        if take == reservation.quantity:
            reservation.delete()
        else:
            reservation.quantity -= take
            reservation.save(update_fields=["quantity"])
        left -= take


def order_deliver(*, actor: Any, order: Order) -> Order:
    """Mark a fully shipped order delivered."""
    require_dispatcher(actor)
    with transaction.atomic():
        locked = access_order_by_id(actor, order.public_id, for_update=True)
        move(locked, Axis.PROCESS, ProcessState.DELIVERED, actor=actor)
        Shipment.objects.filter(order=locked, delivered_at__isnull=True).update(
            delivered_at=timezone.now()
        )
        tell_buyer(locked, NotificationKind.DELIVERED)
    return locked


def payment_record(*, actor: Any, order: Order, amount: Any, reference: str = "") -> Order:
    """Record money received for an order (bank transfer, cash): partially paid or paid."""
    require_finance(actor)
    try:
        value = Decimal(str(amount).strip().replace(",", "."))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():  # "abc", but also "NaN" and "Infinity", which Decimal accepts
        raise OrderingError(
            "amount_invalid", f"“{amount}” is not an amount: write it like 120.50.", field="amount"
        )
    with transaction.atomic():
        locked = access_order_by_id(actor, order.public_id, for_update=True)
        due = locked.total - locked.amount_paid
        in_range = 0 < value <= due  # before rounding too: "1e999999" cannot be rounded
        if in_range:
            value = quantize(value, locked.currency)
        if due <= 0:
            raise OrderingError(
                "paid_in_full", f"Order {locked.number} is paid in full.", field="amount"
            )
        if not (in_range and 0 < value <= due):
            raise OrderingError(
                "amount_out_of_range",
                f"Enter an amount between 0.01 and {format_money(due, locked.currency)} "
                "(what is still due).",
                field="amount",
            )
        target = (
            PaymentState.PAID
            if locked.amount_paid + value == locked.total
            else PaymentState.PARTIALLY_PAID
        )
        refusal = cross_axis_refusal(locked, Axis.PAYMENT, target)
        if refusal:  # also when the state stays (a second part-payment of a cancelled order)
            raise TransitionRefused("transition_blocked", refusal)
        orders_changed(locked.company_id)
        locked.amount_paid += value
        locked.save(update_fields=["amount_paid", "updated_at"])
        comment = f"{format_money(value, locked.currency)} received" + (
            f" ({reference.strip()})" if reference.strip() else ""
        )
        if locked.payment_state != target:
            move(locked, Axis.PAYMENT, target, actor=actor, comment=comment)
        else:
            audit_record(
                action="order.payment_recorded", actor=actor, obj=locked, details={"c": comment}
            )
    return locked


def payment_issue_proforma(*, actor: Any, order: Order) -> Order:
    require_finance(actor)
    with transaction.atomic():
        locked = access_order_by_id(actor, order.public_id, for_update=True)
        move(locked, Axis.PAYMENT, PaymentState.PROFORMA_ISSUED, actor=actor)
    return locked
