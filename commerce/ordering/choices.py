"""Enumerations and transition tables of ordering (DESIGN.md §4).

An order moves on three axes, each a table of allowed moves; ``services/transitions.py`` is the
only code that changes a state, and ``rules.py`` holds the relations between axes.
"""

from __future__ import annotations

from django.db import models


class ProcessState(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_APPROVAL = "awaiting_approval", "Awaiting approval"
    RECEIVED = "received", "Received"
    IN_VALIDATION = "in_validation", "In validation"
    CONFIRMED = "confirmed", "Confirmed"
    IN_DISPATCH = "in_dispatch", "In dispatch"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


class ValidationState(models.TextChoices):
    PENDING_CHECK = "pending_check", "Pending check"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class PaymentState(models.TextChoices):
    UNPAID = "unpaid", "Unpaid"
    PROFORMA_ISSUED = "proforma_issued", "Pro-forma issued"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    REFUNDED = "refunded", "Refunded"


class Axis(models.TextChoices):
    PROCESS = "process", "Process"
    VALIDATION = "validation", "Validation"
    PAYMENT = "payment", "Payment"


P, V, Pay = ProcessState, ValidationState, PaymentState

PROCESS_TRANSITIONS: dict[str, set[str]] = {
    P.DRAFT: {P.AWAITING_APPROVAL, P.RECEIVED, P.CANCELLED},
    P.AWAITING_APPROVAL: {P.RECEIVED, P.CANCELLED},
    P.RECEIVED: {P.IN_VALIDATION, P.CANCELLED},
    P.IN_VALIDATION: {P.CONFIRMED, P.CANCELLED},
    P.CONFIRMED: {P.IN_DISPATCH, P.CANCELLED},
    P.IN_DISPATCH: {P.DELIVERED},
    P.DELIVERED: set(),
    P.CANCELLED: set(),
}

VALIDATION_TRANSITIONS: dict[str, set[str]] = {
    V.PENDING_CHECK: {V.APPROVED, V.REJECTED},
    V.APPROVED: set(),
    V.REJECTED: set(),
}

PAYMENT_TRANSITIONS: dict[str, set[str]] = {
    Pay.UNPAID: {Pay.PROFORMA_ISSUED, Pay.PARTIALLY_PAID, Pay.PAID},
    Pay.PROFORMA_ISSUED: {Pay.PARTIALLY_PAID, Pay.PAID},
    Pay.PARTIALLY_PAID: {Pay.PAID, Pay.REFUNDED},
    Pay.PAID: {Pay.REFUNDED},
    Pay.REFUNDED: set(),
}

TRANSITIONS: dict[str, dict[str, set[str]]] = {
    Axis.PROCESS: PROCESS_TRANSITIONS,
    Axis.VALIDATION: VALIDATION_TRANSITIONS,
    Axis.PAYMENT: PAYMENT_TRANSITIONS,
}

STATE_LABELS: dict[str, dict[str, str]] = {
    Axis.PROCESS: dict(ProcessState.choices),
    Axis.VALIDATION: dict(ValidationState.choices),
    Axis.PAYMENT: dict(PaymentState.choices),
}

# Orders that still count against the company's credit: placed, not cancelled, not paid.
OPEN_PROCESS_STATES = {
    P.AWAITING_APPROVAL,
    P.RECEIVED,
    P.IN_VALIDATION,
    P.CONFIRMED,
    P.IN_DISPATCH,
    P.DELIVERED,
}
UNSETTLED_PAYMENT_STATES = {Pay.UNPAID, Pay.PROFORMA_ISSUED, Pay.PARTIALLY_PAID}
# Before dispatch, a buyer or the supplier may still cancel.
CANCELLABLE_BY_BUYER = {P.AWAITING_APPROVAL, P.RECEIVED}


class ProblemLayer(models.TextChoices):
    INTEGRITY = "integrity", "Integrity"
    BUSINESS = "business", "Business rules"
    FINANCE = "finance", "Finance"
    LOGISTICS = "logistics", "Logistics"


class Severity(models.TextChoices):
    ERROR = "error", "Error"  # blocks the order
    WARNING = "warning", "Warning"  # worth knowing; the order may go ahead


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", "Order submitted"
    APPROVAL_NEEDED = "approval_needed", "Approval needed"
    APPROVED = "approved", "Approved by your approver"
    APPROVAL_REJECTED = "approval_rejected", "Rejected by your approver"
    VALIDATED = "validated", "Validated by the supplier"
    VALIDATION_REJECTED = "validation_rejected", "Rejected by the supplier"
    CONFIRMED = "confirmed", "Confirmed"
    DISPATCHED = "dispatched", "Dispatched"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
