"""The transition function over every (from, to) pair of the three axes' tables, and the
cross-axis rules between them.

Orders are built directly (an ``Order`` and its ``OrderLine``) in the state under test, then
locked with ``select_for_update`` inside ``transaction.atomic`` as the services do. An allowed
move changes the one field, appends one timeline event and one audit entry; a refused one
raises ``TransitionRefused`` with its message and changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.customers.choices import CompanyStatus, PaymentTerms
from commerce.ordering.choices import (
    STATE_LABELS,
    TRANSITIONS,
    Axis,
    PaymentState,
    ProcessState,
    ValidationState,
)
from commerce.ordering.errors import TransitionRefused
from commerce.ordering.models import Order, OrderEvent, OrderLine
from commerce.ordering.services.transitions import move
from tests.factories import CompanyFactory, MembershipFactory, ProductFactory, UserFactory

FIELDS = {
    Axis.PROCESS: "process_state",
    Axis.VALIDATION: "validation_state",
    Axis.PAYMENT: "payment_state",
}

ALL_MOVES = [
    (axis, frm, to)
    for axis in (Axis.PROCESS, Axis.VALIDATION, Axis.PAYMENT)
    for frm in STATE_LABELS[axis]
    for to in STATE_LABELS[axis]
]


@dataclass
class World:
    company: Any
    buyer: Any
    product: Any
    staff: Any


@pytest.fixture
def world(alpha) -> World:
    with schema_context(alpha.schema):
        company = CompanyFactory(name="Transit AG", payment_terms=PaymentTerms.NET, net_days=30)
        buyer = UserFactory(email="transit-buyer@buyer.test", full_name="Tina Transit")
        MembershipFactory(company=company, user=buyer)
        product = ProductFactory(sku="TRN-1", name="Transit bolt", list_price=Decimal("10.00"))
        return World(company=company, buyer=buyer, product=product, staff=alpha.admin)


def make_order(
    world: World,
    *,
    process: str = ProcessState.RECEIVED,
    validation: str = ValidationState.PENDING_CHECK,
    payment: str = PaymentState.UNPAID,
    terms: str = PaymentTerms.NET,
    shipped: bool = False,
) -> Order:
    """An order of 5 × TRN-1 at 10.00 in exactly these states (no services involved)."""
    order = Order.objects.create(
        number=f"T-{uuid.uuid4().hex[:12]}",
        company=world.company,
        placed_by=world.buyer,
        process_state=process,
        validation_state=validation,
        payment_state=payment,
        currency="EUR",
        subtotal=Decimal("50.00"),
        total=Decimal("50.00"),
        ship_line1="Industriestraße 5",
        ship_postcode="20095",
        ship_city="Hamburg",
        ship_country="DE",
        payment_terms=terms,
    )
    OrderLine.objects.create(
        order=order,
        position=1,
        product=world.product,
        sku="TRN-1",
        name="Transit bolt",
        unit="pcs",
        quantity=5,
        unit_price=Decimal("10.0000"),
        price_source="list_price",
        line_total=Decimal("50.00"),
        quantity_shipped=5 if shipped else 0,
    )
    return order


def locked_move(order: Order, axis: str, to: str, actor: Any, comment: str = "") -> OrderEvent:
    """What a service does: lock the row in a transaction, then move."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        return move(locked, axis, to, actor=actor, comment=comment)


def row(order: Order) -> tuple[Any, ...]:
    return tuple(
        Order.objects.filter(pk=order.pk)
        .values_list("process_state", "validation_state", "payment_state", "updated_at")
        .get()
    )


def counts(order: Order) -> tuple[int, int]:
    return (
        OrderEvent.objects.filter(order=order).count(),
        AuditEntry.objects.count(),
    )


def satisfied(world: World, axis: str, frm: str) -> Order:
    """An order at ``frm`` on ``axis`` whose other axes let every move the table allows go
    ahead: validated, net terms, an active company, every line shipped (process); received
    (validation and payment)."""
    if axis == Axis.PROCESS:
        return make_order(world, process=frm, validation=ValidationState.APPROVED, shipped=True)
    if axis == Axis.VALIDATION:
        return make_order(world, process=ProcessState.IN_VALIDATION, validation=frm)
    return make_order(world, process=ProcessState.RECEIVED, payment=frm)


def label(axis: str, state: str) -> str:
    return STATE_LABELS[axis][state].lower()


@pytest.mark.parametrize(
    ("axis", "frm", "to"), ALL_MOVES, ids=[f"{a}:{f}->{t}" for a, f, t in ALL_MOVES]
)
def test_every_move_of_every_axis_follows_its_table(alpha, world, axis, frm, to):
    with schema_context(alpha.schema):
        # given an order at ``frm`` whose other axes allow the move
        order = satisfied(world, axis, frm)
        field = FIELDS[axis]
        before_row, (events_before, audit_before) = row(order), counts(order)

        if to in TRANSITIONS[axis][frm]:
            # when it moves to a state the table lists
            event = locked_move(order, axis, to, world.staff, comment="checked")

            # then the field changed, with one timeline event and one audit entry
            order.refresh_from_db()
            assert getattr(order, field) == to
            assert (event.axis, event.from_state, event.to_state) == (axis, frm, to)
            assert (event.actor, event.actor_label, event.comment) == (
                world.staff,
                "Alpha Supplies Admin",
                "checked",
            )
            assert counts(order) == (events_before + 1, audit_before + 1)
            entry = AuditEntry.objects.order_by("-id").first()
            assert entry is not None
            assert (entry.action, entry.object_id, entry.changes) == (
                f"order.{axis}.{to}",
                str(order.public_id),
                {field: [frm, to]},
            )
            assert entry.details == {
                "company": str(world.company.public_id),
                "comment": "checked",
            }
        else:
            # when it tries a move the table does not list
            with pytest.raises(TransitionRefused) as refused:
                locked_move(order, axis, to, world.staff)

            # then it is refused with the states in words, and nothing changed
            assert refused.value.code == "transition_refused"
            assert refused.value.message == (
                f"Order {order.number} is {label(axis, frm)}; it cannot become {label(axis, to)}."
            )
            assert row(order) == before_row
            assert counts(order) == (events_before, audit_before)


def test_the_tables_name_only_known_states_and_every_state_has_a_row():
    for axis, table in TRANSITIONS.items():
        states = set(STATE_LABELS[axis])
        assert set(table) == states, axis
        for targets in table.values():
            assert targets <= states, axis


def test_terminal_states_have_no_way_out():
    assert TRANSITIONS[Axis.PROCESS][ProcessState.DELIVERED] == set()
    assert TRANSITIONS[Axis.PROCESS][ProcessState.CANCELLED] == set()
    assert TRANSITIONS[Axis.VALIDATION][ValidationState.APPROVED] == set()
    assert TRANSITIONS[Axis.VALIDATION][ValidationState.REJECTED] == set()
    assert TRANSITIONS[Axis.PAYMENT][PaymentState.REFUNDED] == set()


# --- cross-axis rules -------------------------------------------------------------------------


def assert_blocked(world: World, order: Order, axis: str, to: str, message: str) -> None:
    before_row, before_counts = row(order), counts(order)
    with pytest.raises(TransitionRefused) as refused:
        locked_move(order, axis, to, world.staff)
    assert (refused.value.code, refused.value.message) == ("transition_blocked", message)
    assert row(order) == before_row
    assert counts(order) == before_counts


@pytest.mark.parametrize("validation", [ValidationState.PENDING_CHECK, ValidationState.REJECTED])
def test_confirming_needs_the_validation_approved(alpha, world, validation):
    with schema_context(alpha.schema):
        order = make_order(world, process=ProcessState.IN_VALIDATION, validation=validation)
        assert_blocked(
            world,
            order,
            Axis.PROCESS,
            ProcessState.CONFIRMED,
            "The order must be validated before it is confirmed.",
        )


@pytest.mark.parametrize(
    "payment",
    [PaymentState.UNPAID, PaymentState.PROFORMA_ISSUED, PaymentState.PARTIALLY_PAID],
)
def test_a_prepayment_order_is_dispatched_only_when_paid_in_full(alpha, world, payment):
    with schema_context(alpha.schema):
        # given a confirmed order of a prepayment customer, not fully paid
        order = make_order(
            world,
            process=ProcessState.CONFIRMED,
            validation=ValidationState.APPROVED,
            payment=payment,
            terms=PaymentTerms.PREPAYMENT,
        )
        # then dispatch is refused
        assert_blocked(
            world,
            order,
            Axis.PROCESS,
            ProcessState.IN_DISPATCH,
            "This customer pays in advance: the order ships once it is paid in full.",
        )


def test_a_paid_prepayment_order_is_dispatched(alpha, world):
    with schema_context(alpha.schema):
        order = make_order(
            world,
            process=ProcessState.CONFIRMED,
            validation=ValidationState.APPROVED,
            payment=PaymentState.PAID,
            terms=PaymentTerms.PREPAYMENT,
        )
        locked_move(order, Axis.PROCESS, ProcessState.IN_DISPATCH, world.staff)
        assert row(order)[0] == ProcessState.IN_DISPATCH


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        (
            "Overdue invoices",
            "The customer's account is on hold (Overdue invoices): release it before dispatch.",
        ),
        ("", "The customer's account is on hold: release it before dispatch."),
    ],
)
def test_an_order_of_a_company_on_hold_is_not_dispatched(alpha, world, reason, message):
    with schema_context(alpha.schema):
        world.company.status = CompanyStatus.ON_HOLD
        world.company.hold_reason = reason
        world.company.save()
        order = make_order(
            world, process=ProcessState.CONFIRMED, validation=ValidationState.APPROVED
        )
        assert_blocked(world, order, Axis.PROCESS, ProcessState.IN_DISPATCH, message)


def test_an_order_with_open_lines_is_not_delivered(alpha, world):
    with schema_context(alpha.schema):
        order = make_order(
            world, process=ProcessState.IN_DISPATCH, validation=ValidationState.APPROVED
        )
        OrderLine.objects.filter(order=order).update(quantity_shipped=4)
        assert_blocked(
            world,
            order,
            Axis.PROCESS,
            ProcessState.DELIVERED,
            "Some lines have not shipped yet: ship them before marking the order delivered.",
        )


NOT_VALIDATABLE = [
    s for s in ProcessState if s not in {ProcessState.RECEIVED, ProcessState.IN_VALIDATION}
]


@pytest.mark.parametrize("process", NOT_VALIDATABLE)
@pytest.mark.parametrize("to", [ValidationState.APPROVED, ValidationState.REJECTED])
def test_only_received_orders_are_validated_or_rejected(alpha, world, process, to):
    with schema_context(alpha.schema):
        order = make_order(world, process=process)
        assert_blocked(
            world,
            order,
            Axis.VALIDATION,
            to,
            "Only orders received by the supplier can be validated or rejected.",
        )


@pytest.mark.parametrize("process", [ProcessState.RECEIVED, ProcessState.IN_VALIDATION])
def test_received_orders_are_validated(alpha, world, process):
    with schema_context(alpha.schema):
        order = make_order(world, process=process)
        locked_move(order, Axis.VALIDATION, ValidationState.APPROVED, world.staff)
        assert row(order)[1] == ValidationState.APPROVED


@pytest.mark.parametrize("process", [ProcessState.DRAFT, ProcessState.CANCELLED])
@pytest.mark.parametrize(
    ("frm", "to"),
    [
        (PaymentState.UNPAID, PaymentState.PROFORMA_ISSUED),
        (PaymentState.UNPAID, PaymentState.PARTIALLY_PAID),
        (PaymentState.UNPAID, PaymentState.PAID),
        (PaymentState.PARTIALLY_PAID, PaymentState.PAID),
    ],
)
def test_a_draft_or_cancelled_order_takes_no_payments(alpha, world, process, frm, to):
    with schema_context(alpha.schema):
        order = make_order(world, process=process, payment=frm)
        assert_blocked(
            world, order, Axis.PAYMENT, to, "A cancelled or unsubmitted order takes no payments."
        )


def test_a_cancelled_order_that_was_paid_can_be_refunded(alpha, world):
    with schema_context(alpha.schema):
        order = make_order(world, process=ProcessState.CANCELLED, payment=PaymentState.PAID)
        locked_move(order, Axis.PAYMENT, PaymentState.REFUNDED, world.staff, comment="Money back")
        assert row(order)[2] == PaymentState.REFUNDED
        event = OrderEvent.objects.get(order=order)
        assert (event.from_state, event.to_state, event.comment) == (
            "paid",
            "refunded",
            "Money back",
        )
