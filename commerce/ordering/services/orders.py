"""Placing an order from the cart, the buyer-side approval, and cancelling.

``order_place`` locks the company row first, so two orders of one company are placed one after
the other: the credit check of the second sees the first (two orders that together pass the
limit cannot both win). Approval decisions lock the order row, so two approvers acting at once
produce one transition; the second is told who decided.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from commerce.customers.models import Company, CostCentre, DeliveryAddress, Membership
from commerce.customers.policies import is_staff, require_membership
from commerce.ordering.access import access_order_by_id
from commerce.ordering.choices import (
    CANCELLABLE_BY_BUYER,
    Axis,
    NotificationKind,
    ProblemLayer,
    ProcessState,
)
from commerce.ordering.errors import ApprovalRefused, OrderInvalid, Problem, TransitionRefused
from commerce.ordering.models import Cart, CartLine, Order, OrderLine, StockReservation
from commerce.ordering.policies import DECIDING_ROLES, VALIDATORS, require_orderer, within_limit
from commerce.ordering.selectors import DraftView, cart_items, draft_view, eligible_approvers
from commerce.ordering.services.notifications import approvers_for, notify, tell_buyer
from commerce.ordering.services.transitions import move
from commerce.ordering.validation import CheckoutChoices
from commerce.selectors import portal_settings
from core.errors import PermissionDenied
from core.ids import parse_uuid
from core.money import format_money
from core.orm import keep_related


@dataclass(frozen=True)
class CheckoutInput:
    """What the buyer sends at checkout; ids are the public ids of the company's own rows."""

    delivery_address: str | None = None
    po_number: str = ""
    cost_centre: str | None = None
    requested_delivery_date: date | None = None
    note: str = ""


def resolve_checkout(company: Company, data: CheckoutInput) -> CheckoutChoices:
    """The checkout's choices as the company's own active rows (another company's address or
    cost centre is treated as missing, never used)."""
    address_id = parse_uuid(data.delivery_address)
    address = (
        DeliveryAddress.objects.filter(company=company, active=True, public_id=address_id).first()
        if address_id
        else None
    )
    centre_id = parse_uuid(data.cost_centre)
    centre = (
        CostCentre.objects.filter(company=company, active=True, public_id=centre_id).first()
        if centre_id
        else None
    )
    return CheckoutChoices(
        delivery_address=address,
        po_number=data.po_number.strip(),
        cost_centre=centre,
        requested_delivery_date=data.requested_delivery_date,
        note=data.note.strip(),
    )


def approval_reason(company: Company, membership: Membership, total: Decimal, cur: str) -> str:
    """Why an order of ``total`` needs approval, or "" when it does not."""
    threshold = company.approval_threshold
    if threshold is not None and total > threshold:
        return f"Orders above {format_money(threshold, cur)} need approval in your company."
    if membership.order_limit is not None and total > membership.order_limit:
        return f"The order is above your own limit of {format_money(membership.order_limit, cur)}."
    return ""


def checkout_view(actor: Any, data: CheckoutInput) -> DraftView:
    """The cart as it would be placed with these checkout choices (nothing written)."""
    membership = require_membership(actor)
    cart = Cart.objects.filter(user_id=membership.user_id).first()
    choices = resolve_checkout(membership.company, data)
    return draft_view(membership, cart_items(cart), checkout=choices)


def _assign_number(order: Order, year: int) -> None:
    """Give ``order`` the portal's next number of ``year`` ("2026-000042"): the counter row is
    bumped and the order updated in one statement (the counter row stays locked to commit)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH counter AS ("
            " INSERT INTO ordering_ordercounter (year, last) VALUES (%s, 1)"
            " ON CONFLICT (year) DO UPDATE SET last = ordering_ordercounter.last + 1"
            " RETURNING last)"
            " UPDATE ordering_order"
            " SET number = %s || '-' || lpad(counter.last::text, greatest(6, length("
            "counter.last::text)), '0')"
            " FROM counter WHERE ordering_order.id = %s RETURNING ordering_order.number",
            [year, str(year), order.pk],
        )
        (order.number,) = cursor.fetchone()


def order_place(*, actor: Any, data: CheckoutInput) -> Order:
    """Turn the buyer's cart into an order: every validation layer, then the order with copies
    of prices and address, the first transition (to the approvers or straight to the supplier),
    an empty cart, and notifications, all in one transaction. Raises ``OrderInvalid`` with every
    problem when any is blocking; nothing is written then."""
    membership = require_orderer(actor)
    settings_row = portal_settings()  # before the transaction: a snapshot read there is kept
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=membership.company_id)
        cart = Cart.objects.select_for_update().filter(user_id=membership.user_id).first()
        choices = resolve_checkout(company, data)
        draft = draft_view(
            membership,
            cart_items(cart),
            checkout=choices,
            company=company,
            settings_row=settings_row,
        )
        reason = approval_reason(company, membership, draft.total, draft.currency)
        problems = list(draft.problems)
        if reason and not eligible_approvers(
            company.pk, draft.total, exclude_user_id=membership.user_id
        ):
            problems.append(
                Problem(
                    ProblemLayer.FINANCE,
                    "no_approver",
                    f"{reason} Nobody in your company can approve "
                    f"{format_money(draft.total, draft.currency)}.",
                    suggestion="Ask your company admin to name an approver with a high enough "
                    "limit, or order less.",
                )
            )
        if not draft.lines or any(p.blocking for p in problems):
            raise OrderInvalid(problems)
        order = _create(actor, company, draft, choices, reason)
        CartLine.objects.filter(cart=cart).delete()
        # The portal-wide locks (the order counter row, the audit chain) are taken last, so
        # placements in one portal wait for each other only for the few statements below.
        _assign_number(order, draft.today.year)
        target = ProcessState.AWAITING_APPROVAL if reason else ProcessState.RECEIVED
        move(order, Axis.PROCESS, target, actor=actor, comment=reason)
        notify(order, NotificationKind.SUBMITTED, [actor], body=reason)
        if reason:
            notify(order, NotificationKind.APPROVAL_NEEDED, approvers_for(order), body=reason)
    return order


def _create(
    actor: Any, company: Company, draft: DraftView, choices: CheckoutChoices, reason: str
) -> Order:
    address = choices.delivery_address
    if address is None:  # the integrity layer refuses a missing address first
        raise OrderInvalid([])
    order = Order.objects.create(
        number=f"~{secrets.token_hex(8)}",  # numbered at the end of order_place
        company=company,
        placed_by=actor,
        currency=draft.currency,
        subtotal=draft.total,
        total=draft.total,
        po_number=choices.po_number,
        cost_centre=choices.cost_centre,
        cost_centre_code=choices.cost_centre.code if choices.cost_centre else "",
        delivery_address=address,
        ship_label=address.label,
        ship_line1=address.line1,
        ship_line2=address.line2,
        ship_postcode=address.postcode,
        ship_city=address.city,
        ship_country=address.country,
        requested_delivery_date=choices.requested_delivery_date,
        note=choices.note,
        payment_terms=company.payment_terms,
        net_days=company.net_days,
        approval_reason=reason,
        submitted_at=timezone.now(),
    )
    lines = OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                position=position,
                product=line.product,
                sku=line.product.sku,
                name=line.product.name,
                unit=line.product.unit,
                quantity=line.quantity,
                unit_price=line.quote.unit_price or Decimal(0),
                price_source=line.quote.source,
                price_reason=line.quote.reason[:120],
                line_total=line.quote.line_total or Decimal(0),
            )
            for position, line in enumerate(draft.lines, start=1)
        ]
    )
    keep_related(order, "lines", lines)  # the 201 body and the caller read them next
    return order


# --- the buyer's approval -------------------------------------------------------------------


def _decider(actor: Any, order: Order) -> Membership:
    membership = require_membership(actor)
    if membership.role not in DECIDING_ROLES:
        raise PermissionDenied("Only your company's approvers and admins decide orders.")
    if order.process_state != ProcessState.AWAITING_APPROVAL:
        if order.process_state == ProcessState.CANCELLED:
            raise ApprovalRefused(
                "already_decided", f"Order {order.number} was already rejected or cancelled."
            )
        if order.approved_by is None:
            raise ApprovalRefused(
                "not_awaiting_approval",
                f"Order {order.number} is not waiting for approval "
                f"(it is {order.get_process_state_display().lower()}).",
            )
        raise ApprovalRefused(
            "already_decided",
            f"Order {order.number} was already approved by {order.approved_by.full_name}.",
        )
    if order.placed_by_id == membership.user_id:
        raise ApprovalRefused("own_order", "Nobody approves their own order: ask a colleague.")
    if not within_limit(membership, order.total):
        limit = membership.approval_limit or Decimal(0)
        raise ApprovalRefused(
            "over_limit",
            f"Order {order.number} ({format_money(order.total, order.currency)}) is above your "
            f"approval limit of {format_money(limit, order.currency)}.",
        )
    return membership


def _approval_requests_done(order: Order) -> None:
    """Once an order is decided, the other approvers' "needs your approval" notices are read:
    nothing is left for them to do."""
    from commerce.ordering.models import Notification

    Notification.objects.filter(
        order=order, kind=NotificationKind.APPROVAL_NEEDED, read_at__isnull=True
    ).update(read_at=timezone.now())


def order_approve(*, actor: Any, order: Order, comment: str = "") -> Order:
    """An approver lets the order go to the supplier."""
    with transaction.atomic():
        locked = access_order_by_id(actor, order.public_id, for_update=True)
        _decider(actor, locked)
        locked.approved_by = actor
        locked.decision_comment = comment.strip()
        locked.save(update_fields=["approved_by", "decision_comment", "updated_at"])
        move(locked, Axis.PROCESS, ProcessState.RECEIVED, actor=actor, comment=comment.strip())
        _approval_requests_done(locked)
        tell_buyer(locked, NotificationKind.APPROVED, body=comment.strip())
    return locked


def order_reject_approval(*, actor: Any, order: Order, comment: str) -> Order:
    """An approver stops the order; the comment (required) tells the buyer why."""
    reason = comment.strip()
    with transaction.atomic():
        locked = access_order_by_id(actor, order.public_id, for_update=True)
        _decider(actor, locked)
        if not reason:
            raise ApprovalRefused(
                "comment_required", "Say why you reject the order.", field="comment"
            )
        locked.decision_comment = reason
        locked.save(update_fields=["decision_comment", "updated_at"])
        move(locked, Axis.PROCESS, ProcessState.CANCELLED, actor=actor, comment=reason)
        _approval_requests_done(locked)
        tell_buyer(locked, NotificationKind.APPROVAL_REJECTED, body=reason)
    return locked


def order_cancel(*, actor: Any, order: Order, reason: str = "") -> Order:
    """Cancel before dispatch: the buyer who placed it (or a company admin) while it waits for
    approval or the supplier; supplier validators until it ships. Releases reserved stock."""
    with transaction.atomic():
        locked = access_order_by_id(actor, order.public_id, for_update=True)
        if is_staff(actor):
            if actor.staff_role not in VALIDATORS:
                raise PermissionDenied("Only administrators and validators cancel orders.")
            if not reason.strip():
                raise TransitionRefused(
                    "reason_required", "Say why the order is cancelled.", field="reason"
                )
        else:
            membership = require_orderer(actor)
            if locked.placed_by_id != actor.pk and membership.role != "company_admin":
                raise PermissionDenied("Only the buyer who placed it or a company admin cancels.")
            if locked.process_state not in CANCELLABLE_BY_BUYER:
                raise TransitionRefused(
                    "too_late",
                    f"Order {locked.number} is already being handled by the supplier: "
                    "contact them to cancel it.",
                )
        release_reservations(locked)
        move(locked, Axis.PROCESS, ProcessState.CANCELLED, actor=actor, comment=reason.strip())
        if is_staff(actor):
            tell_buyer(locked, NotificationKind.CANCELLED, body=reason.strip())
    return locked


def release_reservations(order: Order) -> None:
    """Give back the stock a confirmed order holds (before it ships)."""
    from django.db.models import F

    from commerce.catalog.models import StockLevel

    reservations = list(  # stock rows in product order, as confirmation locks them
        StockReservation.objects.select_for_update(of=("self",))
        .filter(line__order=order)
        .order_by("stock__product_id", "stock__warehouse_id", "id")
    )
    for reservation in reservations:
        StockLevel.objects.filter(pk=reservation.stock_id).update(
            reserved=F("reserved") - reservation.quantity
        )
    StockReservation.objects.filter(pk__in=[r.pk for r in reservations]).delete()
