"""Two people acting at once, on real PostgreSQL with real threads: two approvers on one order,
two confirmations racing for the last units, two orders of one company against its credit
limit. Each time exactly one wins, the other is refused with its reason, and nothing is
half-written.

Each thread has its own database connection (closed at its end) and sets the tenant schema
itself; a ``threading.Barrier`` starts both services together. Threads see only committed rows,
so these tests commit. Not with ``django_db(transaction=True)``: its teardown flushes the tables
of the schema in force, the public one, which holds the session's tenants ``alpha`` and
``beta`` (see ``tests/browser/conftest.py``). Instead, as ``tests/test_outbox_worker.py`` does,
``db`` is replaced by committed access, and everything is written into a tenant provisioned for
this module and dropped with its schema at the end: the session's tenants never see these rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.catalog.models import StockLevel
from commerce.customers.choices import MemberRole, PaymentTerms
from commerce.ordering.errors import ApprovalRefused, OrderInvalid, Problem, StockShort
from commerce.ordering.models import (
    CartLine,
    Notification,
    Order,
    OrderCounter,
    OrderEvent,
    StockReservation,
)
from commerce.ordering.services import (
    CheckoutInput,
    cart_add,
    order_approve,
    order_confirm,
    order_place,
    order_validate,
)
from sso.models import User
from tests.factories import (
    CompanyFactory,
    DeliveryAddressFactory,
    MembershipFactory,
    ProductFactory,
    StockLevelFactory,
    UserFactory,
    WarehouseFactory,
)
from tests.support.committed import throwaway_supplier

T = TypeVar("T")
RACE_TIMEOUT = 30  # seconds; a thread stuck longer than this is a deadlock, not a slow test


@pytest.fixture
def db(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Committed database access, replacing pytest-django's ``db`` in this module (the threads
    see only committed rows). Requesting it also makes pytest-django create the test database."""
    assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="module")
def shop(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The schema of a supplier provisioned for this module, dropped when the module ends."""
    with (
        django_db_blocker.unblock(),
        throwaway_supplier("Race Supplies", "ordconc") as (
            tenant,
            _,
            _,
        ),
    ):
        yield str(tenant.schema_name)


@dataclass
class Outcome:
    """What one thread's call did: its result, or the domain error it raised."""

    value: Any = None
    error: Exception | None = None


def race(schema: str, *calls: Callable[[], T]) -> list[Outcome]:
    """Run ``calls`` in threads of their own, released together by a barrier; each thread opens
    its own connection in ``schema`` and closes it at the end."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> Outcome:
        try:
            with schema_context(schema):
                connection.ensure_connection()  # connect before the start, not after it
                assert connection.settings_dict["NAME"].startswith("test_")
                barrier.wait(timeout=RACE_TIMEOUT)
                try:
                    return Outcome(value=call())
                except (ApprovalRefused, StockShort, OrderInvalid) as exc:
                    return Outcome(error=exc)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(run, call) for call in calls]
        return [future.result(timeout=RACE_TIMEOUT) for future in futures]


def winner_and_loser(outcomes: list[Outcome]) -> tuple[Outcome, Outcome]:
    won = [o for o in outcomes if o.error is None]
    lost = [o for o in outcomes if o.error is not None]
    assert (len(won), len(lost)) == (1, 1), outcomes
    return won[0], lost[0]


@dataclass
class Team:
    company: Any
    address: Any
    buyer: Any
    approver: Any
    admin: Any


def make_team(tag: str, **company: Any) -> Team:
    """A net-terms company with a buyer, an approver (limit 5,000) and a company admin."""
    made = CompanyFactory(
        name=f"Race {tag} GmbH", payment_terms=PaymentTerms.NET, net_days=30, **company
    )

    def member(role: str, who: str, **extra: Any) -> Any:
        user = UserFactory(email=f"{tag}-{who}@race.test", full_name=f"{tag.title()} {who.title()}")
        MembershipFactory(company=made, user=user, role=role, **extra)
        return user

    return Team(
        company=made,
        address=DeliveryAddressFactory(company=made, label="Main site", is_default=True),
        buyer=member(MemberRole.BUYER, "buyer"),
        approver=member(MemberRole.APPROVER, "approver", approval_limit=Decimal("5000")),
        admin=member(MemberRole.COMPANY_ADMIN, "admin"),
    )


def stocked(sku: str, price: str, on_hand: int) -> Any:
    product = ProductFactory(sku=sku, name=f"Racing {sku}", list_price=Decimal(price))
    StockLevelFactory(product=product, warehouse=WarehouseFactory(), on_hand=on_hand)
    return product


def place(team: Team, user: Any, lines: dict[Any, int]) -> Order:
    for product, quantity in lines.items():
        cart_add(actor=user, product_id=product.public_id, quantity=quantity)
    return order_place(actor=user, data=CheckoutInput(delivery_address=str(team.address.public_id)))


def fresh_user(pk: int) -> Any:
    """The user as the thread's own connection reads it (no instance shared between threads)."""
    return User.objects.get(pk=pk)


def fresh_order(public_id: Any) -> Order:
    return Order.objects.get(public_id=public_id)


# --- (a) two approvers, one order ---------------------------------------------------------


def test_two_approvers_at_once_make_one_transition(db, shop):
    with schema_context(shop):
        # given an order of 300.00 waiting for approval (the company's threshold is 100)
        team = make_team("alpine", approval_threshold=Decimal("100"))
        product = stocked("RACE-A", "10.00", 100)
        order = place(team, team.buyer, {product: 30})
        assert order.process_state == "awaiting_approval"
        audit_before = AuditEntry.objects.count()

    # when the approver and the company admin approve it at the same moment
    outcomes = race(
        shop,
        lambda: order_approve(
            actor=fresh_user(team.approver.pk), order=fresh_order(order.public_id), comment="ok"
        ),
        lambda: order_approve(
            actor=fresh_user(team.admin.pk), order=fresh_order(order.public_id), comment="ok"
        ),
    )

    # then one approval went through and the other was told who decided
    won, lost = winner_and_loser(outcomes)
    with schema_context(shop):
        approver = User.objects.get(pk=won.value.approved_by_id)
        assert approver.pk in {team.approver.pk, team.admin.pk}
        assert isinstance(lost.error, ApprovalRefused)
        assert (lost.error.code, lost.error.message) == (
            "already_decided",
            f"Order {order.number} was already approved by {approver.full_name}.",
        )
        row = Order.objects.get(pk=order.pk)
        assert (row.process_state, row.approved_by_id) == ("received", approver.pk)
        assert list(
            OrderEvent.objects.filter(order=order).order_by("id").values_list("to_state", flat=True)
        ) == ["awaiting_approval", "received"]
        assert AuditEntry.objects.count() == audit_before + 1
        assert Notification.objects.filter(order=order, kind="approved").count() == 1


# --- (b) two confirmations, the last units --------------------------------------------------


def test_two_confirmations_racing_for_the_last_units_reserve_for_one(db, shop):
    with schema_context(shop):
        # given 10 units in stock and two validated orders of 6 each
        team = make_team("birch")
        product = stocked("RACE-B", "10.00", 10)
        validator = UserFactory(
            email="birch-validator@race.test", kind="staff", staff_role="validator"
        )
        first = place(team, team.buyer, {product: 6})
        second = place(team, team.approver, {product: 6})
        for order in (first, second):
            order_validate(actor=validator, order=order)
        audit_before = AuditEntry.objects.count()

    # when both are confirmed at the same moment
    outcomes = race(
        shop,
        lambda: order_confirm(actor=fresh_user(validator.pk), order=fresh_order(first.public_id)),
        lambda: order_confirm(actor=fresh_user(validator.pk), order=fresh_order(second.public_id)),
    )

    # then one is confirmed with its 6 units reserved, the other reserved nothing
    won, lost = winner_and_loser(outcomes)
    with schema_context(shop):
        assert isinstance(lost.error, StockShort)
        assert (lost.error.code, lost.error.message) == (
            "stock_short",
            "Not enough free stock to confirm: RACE-B needs 6, 4 free. Nothing was reserved.",
        )
        loser = second if won.value.pk == first.pk else first
        states = dict(
            Order.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "process_state")
        )
        assert states == {won.value.pk: "confirmed", loser.pk: "in_validation"}
        level = StockLevel.objects.get(product=product)
        assert (level.on_hand, level.reserved) == (10, 6)
        assert list(
            StockReservation.objects.filter(line__order__in=[first, second]).values_list(
                "line__order_id", "quantity"
            )
        ) == [(won.value.pk, 6)]
        assert OrderEvent.objects.filter(order=loser, to_state="confirmed").count() == 0
        assert AuditEntry.objects.count() == audit_before + 1


# --- (c) two orders of one company, one credit limit ----------------------------------------


def test_two_orders_that_together_pass_the_credit_limit_place_one(db, shop):
    with schema_context(shop):
        # given a credit limit of 1,000 and two colleagues with 600.00 each in their carts
        team = make_team("cedar", credit_limit=Decimal("1000"))
        product = stocked("RACE-C", "10.00", 500)
        for user in (team.buyer, team.approver):
            cart_add(actor=user, product_id=product.public_id, quantity=60)
        counters_before = list(OrderCounter.objects.values_list("year", "last"))
        audit_before = AuditEntry.objects.count()
        checkout = CheckoutInput(delivery_address=str(team.address.public_id))

    # when both place their orders at the same moment
    outcomes = race(
        shop,
        lambda: order_place(actor=fresh_user(team.buyer.pk), data=checkout),
        lambda: order_place(actor=fresh_user(team.approver.pk), data=checkout),
    )

    # then one order is placed; the other is refused for the credit the first one took
    won, lost = winner_and_loser(outcomes)
    with schema_context(shop):
        assert isinstance(lost.error, OrderInvalid)
        assert lost.error.problems == [
            Problem(
                "finance",
                "credit_limit",
                "This order (EUR 600.00) is more than your available credit of EUR 400.00 "
                "(limit EUR 1,000.00, open orders EUR 600.00).",
                suggestion="Order less, or ask your account manager to raise the limit.",
            )
        ]
        placed = Order.objects.get(company=team.company)
        assert (placed.pk, placed.process_state, placed.total) == (
            won.value.pk,
            "received",
            Decimal("600.00"),
        )
        loser_id = team.approver.pk if placed.placed_by_id == team.buyer.pk else team.buyer.pk
        # nothing half-written: the loser's cart is as it was, one number used, one move audited
        assert list(
            CartLine.objects.filter(cart__user_id=loser_id).values_list("product__sku", "quantity")
        ) == [("RACE-C", 60)]
        assert CartLine.objects.filter(cart__user_id=placed.placed_by_id).count() == 0
        counters = dict(OrderCounter.objects.values_list("year", "last"))
        assert sum(counters.values()) == sum(last for _, last in counters_before) + 1
        assert OrderEvent.objects.filter(order__company=team.company).count() == 1
        assert AuditEntry.objects.count() == audit_before + 1
