"""The one transition function of an order's three axes (DESIGN.md §4).

``move`` is called by the services below with the order row locked (``select_for_update``) in
their transaction. It refuses a move the axis' table does not list or a cross-axis rule forbids,
then changes the one field, appends the timeline event and writes the audit entry, all in the
caller's transaction. Notifications are the caller's (they know who should hear of it).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.services import audit_record
from commerce.ordering.cache import orders_changed
from commerce.ordering.choices import STATE_LABELS, TRANSITIONS, Axis
from commerce.ordering.errors import TransitionRefused
from commerce.ordering.models import Order, OrderEvent
from commerce.ordering.rules import cross_axis_refusal

FIELDS = {
    Axis.PROCESS: "process_state",
    Axis.VALIDATION: "validation_state",
    Axis.PAYMENT: "payment_state",
}


def _label(axis: str, state: str) -> str:
    return STATE_LABELS[axis].get(state, state).lower()


def move(order: Order, axis: str, to: str, *, actor: Any, comment: str = "") -> OrderEvent:
    """Move ``order`` to ``to`` on ``axis`` (row locked by the caller); audited, on the timeline."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("move() needs the caller's transaction and row lock")
    field = FIELDS[Axis(axis)]
    current = getattr(order, field)
    if to not in TRANSITIONS[axis].get(current, set()):
        raise TransitionRefused(
            "transition_refused",
            f"Order {order.number} is {_label(axis, current)}; it cannot become "
            f"{_label(axis, to)}.",
        )
    refusal = cross_axis_refusal(order, axis, to)
    if refusal:
        raise TransitionRefused("transition_blocked", refusal)
    setattr(order, field, to)
    order.save(update_fields=[field, "updated_at"])
    orders_changed(order.company_id)
    label = getattr(actor, "email", "") or "system"
    event = OrderEvent.objects.create(
        order=order,
        axis=axis,
        from_state=current,
        to_state=to,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=getattr(actor, "full_name", "") or label,
        comment=comment,
    )
    audit_record(
        action=f"order.{axis}.{to}",
        actor=actor,
        obj=order,
        changes={field: [current, to]},
        details={"company": str(order.company.public_id), "comment": comment}
        if comment
        else {"company": str(order.company.public_id)},
    )
    return event
