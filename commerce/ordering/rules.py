"""Relations between the three axes of an order, in one place (DESIGN.md §4).

``cross_axis_refusal`` answers, for a move the axis' own table allows, whether the other axes
allow it now, and if not, why in plain words. The transition function asks it before every move.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commerce.customers.choices import CompanyStatus, PaymentTerms
from commerce.ordering.choices import Axis, PaymentState, ProcessState, ValidationState

if TYPE_CHECKING:
    from commerce.ordering.models import Order

VALIDATABLE = {ProcessState.RECEIVED, ProcessState.IN_VALIDATION}
NO_PAYMENTS = {ProcessState.DRAFT, ProcessState.CANCELLED}


def cross_axis_refusal(order: Order, axis: str, to: str) -> str | None:
    """Why ``order`` may not move to ``to`` on ``axis`` given its other axes, or None."""
    if axis == Axis.PROCESS:
        return _process(order, to)
    if axis == Axis.VALIDATION:
        if order.process_state not in VALIDATABLE:
            return "Only orders received by the supplier can be validated or rejected."
        return None
    if axis == Axis.PAYMENT and to != PaymentState.REFUNDED and order.process_state in NO_PAYMENTS:
        return "A cancelled or unsubmitted order takes no payments."
    return None


def _process(order: Order, to: str) -> str | None:
    if to == ProcessState.CONFIRMED and order.validation_state != ValidationState.APPROVED:
        return "The order must be validated before it is confirmed."
    if to == ProcessState.IN_DISPATCH:
        if order.payment_terms == PaymentTerms.PREPAYMENT and order.payment_state != (
            PaymentState.PAID
        ):
            return "This customer pays in advance: the order ships once it is paid in full."
        if order.payment_terms == PaymentTerms.NET and _over_credit(order):
            return (
                "The customer is over its credit limit: record a payment or raise the limit "
                "before dispatch."
            )
        if order.company.status == CompanyStatus.ON_HOLD:
            reason = f" ({order.company.hold_reason})" if order.company.hold_reason else ""
            return f"The customer's account is on hold{reason}: release it before dispatch."
    if to == ProcessState.DELIVERED and any(line.quantity_open for line in order.lines.all()):
        return "Some lines have not shipped yet: ship them before marking the order delivered."
    return None


def _over_credit(order: Order) -> bool:
    """Whether the customer's unpaid orders (this one included) exceed its credit limit now."""
    from commerce.ordering.selectors import open_order_value

    return open_order_value(order.company) > order.company.credit_limit
