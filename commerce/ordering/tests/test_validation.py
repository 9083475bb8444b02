"""The four validation layers (integrity, business rules, finance, logistics) as the buyer meets
them: in the cart, at checkout and when placing the order. Every problem is checked whole:
layer, code, message, severity, line or field, suggestion and fix."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.catalog.models import StockLevel
from commerce.customers.choices import CompanyStatus, PaymentTerms
from commerce.ordering.errors import OrderInvalid, Problem
from commerce.ordering.models import CartLine, Notification, Order, OrderCounter
from commerce.ordering.selectors import DraftView, buyer_cart, cart_items, draft_view
from commerce.ordering.services import (
    CheckoutInput,
    cart_add,
    cart_set_quantity,
    checkout_view,
    order_place,
)
from commerce.ordering.tests.conftest import place
from commerce.selectors import portal_today
from outbox.models import OutboxMessage
from tests.factories import ContractPriceFactory, ProductFactory, StockLevelFactory


def words(day: date) -> str:
    """A date as the messages write it: 5 Mar 2026."""
    return f"{day.day} {day:%b %Y}"


def fill(user: Any, lines: dict[Any, int]) -> None:
    for product, quantity in lines.items():
        cart_add(actor=user, product_id=product.public_id, quantity=quantity)


def cart(user: Any) -> DraftView:
    """The cart as the cart page shows it (no checkout choices yet)."""
    membership = user.membership
    return draft_view(membership, cart_items(buyer_cart(membership)))


def checkout(buyers: Any, user: Any, **data: Any) -> DraftView:
    data.setdefault("delivery_address", str(buyers.address.public_id))
    return checkout_view(user, CheckoutInput(**data))


def coded(problems: list[Problem], code: str) -> list[Problem]:
    return [p for p in problems if p.code == code]


def cart_lines(user: Any) -> list[tuple[str, int]]:
    return list(
        CartLine.objects.filter(cart__user=user)
        .order_by("id")
        .values_list("product__sku", "quantity")
    )


# --- 1. integrity ---------------------------------------------------------------------------


def test_an_empty_cart_cannot_be_checked_out(alpha, x):
    with schema_context(alpha.schema):
        view = checkout(x, x.buyer)
        assert view.problems == [
            Problem(
                "integrity", "cart_empty", "Your cart is empty.", suggestion="Add products first."
            )
        ]
        assert view.can_place is False


@pytest.mark.parametrize("address", ["none", "other company", "inactive", "not an id"])
def test_checkout_needs_one_of_the_companys_own_active_addresses(alpha, x, y, products, address):
    with schema_context(alpha.schema):
        # given a cart and an address that is missing, someone else's, inactive or garbage
        fill(x.buyer, {products["BOLT"]: 10})
        if address == "inactive":
            x.address.active = False
            x.address.save()
        chosen = {
            "none": None,
            "other company": str(y.address.public_id),
            "inactive": str(x.address.public_id),
            "not an id": "my-house",
        }[address]

        # when the checkout is checked, then the address is reported missing (and only that)
        view = checkout(x, x.buyer, delivery_address=chosen)
        assert view.problems == [
            Problem(
                "integrity",
                "address_missing",
                "Choose a delivery address.",
                field="delivery_address",
                suggestion="Pick one of your company's addresses; a company admin can add one.",
            )
        ]


def test_a_company_that_requires_po_numbers_gets_none_without_one(alpha, x, products):
    with schema_context(alpha.schema):
        x.company.po_required = True
        x.company.save()
        fill(x.buyer, {products["BOLT"]: 10})

        assert checkout(x, x.buyer, po_number="   ").problems == [
            Problem(
                "integrity",
                "po_required",
                "Xylo GmbH requires a PO number on every order.",
                field="po_number",
                suggestion="Enter the purchase order number from your system.",
            )
        ]
        assert checkout(x, x.buyer, po_number="PO-2026-001").problems == []


def test_a_po_number_fits_35_characters_on_one_line(alpha, x, products):
    with schema_context(alpha.schema):
        fill(x.buyer, {products["BOLT"]: 10})

        assert checkout(x, x.buyer, po_number="P" * 36).problems == [
            Problem(
                "integrity",
                "po_too_long",
                "The PO number has 36 characters; at most 35 fit.",
                field="po_number",
                suggestion="Shorten it.",
            )
        ]
        assert checkout(x, x.buyer, po_number="P" * 35).problems == []
        assert checkout(x, x.buyer, po_number="PO\n77").problems == [
            Problem(
                "integrity",
                "po_invalid",
                "The PO number contains a line break or another invisible character.",
                field="po_number",
                suggestion="Type it on one line.",
            )
        ]


def test_a_requested_delivery_date_in_the_past_is_refused(clock, alpha, x, products):
    with schema_context(alpha.schema):
        fill(x.buyer, {products["BOLT"]: 10})
        today = portal_today()
        yesterday = today - timedelta(days=1)

        assert checkout(x, x.buyer, requested_delivery_date=yesterday).problems == [
            Problem(
                "integrity",
                "date_in_past",
                f"The requested delivery date {words(yesterday)} is in the past.",
                field="requested_delivery_date",
                suggestion=f"Choose {words(today)} or later, or leave it empty.",
            )
        ]
        assert checkout(x, x.buyer, requested_delivery_date=today).problems == []


def test_a_note_fits_2000_characters(alpha, x, products):
    with schema_context(alpha.schema):
        fill(x.buyer, {products["BOLT"]: 10})
        assert checkout(x, x.buyer, note="n" * 2001).problems == [
            Problem(
                "integrity",
                "note_too_long",
                "The note has 2001 characters; at most 2000 fit.",
                field="note",
                suggestion="Shorten it.",
            )
        ]


# --- 2. business rules ----------------------------------------------------------------------


def test_a_product_without_a_price_cannot_be_ordered(alpha, x):
    with schema_context(alpha.schema):
        unpriced = ProductFactory(sku="QUOTE-ME", name="Special pump", list_price=None)
        fill(x.buyer, {unpriced: 1})

        view = cart(x.buyer)
        assert view.problems == [
            Problem(
                "business",
                "no_price",
                "QUOTE-ME has no price for your company, so it cannot be ordered.",
                line="QUOTE-ME",
                suggestion="Remove it, or ask your account manager for a price.",
                fix={"remove": True},
            )
        ]
        assert view.line_problems == {"QUOTE-ME": view.problems}
        assert view.can_place is False


NOT_ORDERABLE = Problem(
    "business",
    "not_orderable",
    "BOLT is no longer available to your company.",
    line="BOLT",
    suggestion="Remove it from the cart.",
    fix={"remove": True},
)


def test_a_product_taken_out_of_the_catalogue_is_not_orderable(alpha, x, products):
    with schema_context(alpha.schema):
        # given BOLT in the cart, then deactivated by the supplier
        fill(x.buyer, {products["BOLT"]: 10})
        products["BOLT"].active = False
        products["BOLT"].save()

        assert cart(x.buyer).problems == [NOT_ORDERABLE]


def test_a_product_outside_a_restricted_assortment_is_not_orderable(alpha, x, products):
    with schema_context(alpha.schema):
        # given BOLT in the cart, then the company restricted to NUT only
        fill(x.buyer, {products["BOLT"]: 10})
        x.company.assortment_restricted = True
        x.company.save()
        x.company.assortment.set([products["NUT"]])

        assert cart(x.buyer).problems == [NOT_ORDERABLE]


def test_below_the_minimum_the_fix_sets_the_minimum(alpha, x, products):
    with schema_context(alpha.schema):
        # given 5 NUT (minimum 10, multiples of 5)
        fill(x.buyer, {products["NUT"]: 5})
        problem = Problem(
            "business",
            "below_minimum",
            "NUT: the minimum order is 10 pcs; this line has 5.",
            line="NUT",
            suggestion="Order 10.",
            fix={"set_quantity": 10},
        )
        assert cart(x.buyer).problems == [problem]

        # when the buyer applies the fix, then the problem is gone
        cart_set_quantity(
            actor=x.buyer,
            product_id=products["NUT"].public_id,
            quantity=problem.fix["set_quantity"],
        )
        assert cart(x.buyer).problems == []
        assert cart_lines(x.buyer) == [("NUT", 10)]


@pytest.mark.parametrize(
    ("minimum", "multiple", "quantity", "message", "suggestion", "fixed"),
    [
        (10, 5, 12, "PLUG is sold in multiples of 5; 12 is not one.", "Order 10 or 15.", 15),
        (10, 4, 11, "PLUG is sold in multiples of 4; 11 is not one.", "Order 12.", 12),
    ],
)
def test_not_a_multiple_the_fix_rounds_up_to_the_next_one(
    alpha, x, products, minimum, multiple, quantity, message, suggestion, fixed
):
    with schema_context(alpha.schema):
        plug = ProductFactory(
            sku="PLUG", list_price=Decimal("1.00"), min_order_qty=minimum, order_multiple=multiple
        )
        StockLevelFactory(product=plug, warehouse=products["warehouse"], on_hand=1000)
        fill(x.buyer, {plug: quantity})
        problem = Problem(
            "business",
            "not_a_multiple",
            message,
            line="PLUG",
            suggestion=suggestion,
            fix={"set_quantity": fixed},
        )
        assert cart(x.buyer).problems == [problem]

        cart_set_quantity(actor=x.buyer, product_id=plug.public_id, quantity=fixed)
        assert cart(x.buyer).problems == []


def test_stock_shortages_are_warnings_that_do_not_block(alpha, x, products):
    with schema_context(alpha.schema):
        # given more BOLT than in stock (no lead time), GLUE none in stock (ships in 5 days),
        # and a TAPE line of which 2 are in stock (ships in 1 day)
        tape = ProductFactory(sku="TAPE", list_price=Decimal("3.00"), lead_time_days=1)
        StockLevelFactory(product=tape, warehouse=products["warehouse"], on_hand=2)
        fill(x.buyer, {products["BOLT"]: 120, products["GLUE"]: 3, tape: 5})

        view = checkout(x, x.buyer)
        assert view.problems == [
            Problem(
                "business",
                "out_of_stock",
                "BOLT: only 100 in stock; you asked for 120.",
                severity="warning",
                line="BOLT",
                suggestion="The supplier will confirm when the rest can ship.",
                fix={"set_quantity": 100},
            ),
            Problem(
                "business",
                "ships_later",
                "GLUE is not in stock; it ships in 5 days.",
                severity="warning",
                line="GLUE",
                suggestion="Order anyway, or reduce the quantity to what is in stock.",
            ),
            Problem(
                "business",
                "partly_in_stock",
                "TAPE: 2 in stock; the other 3 ship in 1 day.",
                severity="warning",
                line="TAPE",
                suggestion="Order anyway, or reduce the quantity to what is in stock.",
            ),
        ]
        assert view.can_place is True


def test_nothing_in_stock_and_no_lead_time_offers_no_fix(alpha, x, products):
    with schema_context(alpha.schema):
        StockLevel.objects.filter(product=products["BOLT"]).update(on_hand=0)
        fill(x.buyer, {products["BOLT"]: 10})
        assert cart(x.buyer).problems == [
            Problem(
                "business",
                "out_of_stock",
                "BOLT: only 0 in stock; you asked for 10.",
                severity="warning",
                line="BOLT",
                suggestion="The supplier will confirm when the rest can ship.",
            )
        ]


def test_a_contract_price_ending_before_the_requested_delivery_is_pointed_out(
    clock, alpha, x, products
):
    with schema_context(alpha.schema):
        today = portal_today()
        ends = today + timedelta(days=10)
        ContractPriceFactory(
            company=x.company,
            product=products["BOLT"],
            unit_price=Decimal("8.00"),
            valid_from=today - timedelta(days=30),
            valid_to=ends,
        )
        fill(x.buyer, {products["BOLT"]: 10})
        later = today + timedelta(days=20)

        view = checkout(x, x.buyer, requested_delivery_date=later)
        assert view.problems == [
            Problem(
                "business",
                "contract_ends",
                f"BOLT: your contract price ends on {words(ends)}, before the requested "
                f"delivery on {words(later)}.",
                severity="warning",
                line="BOLT",
                suggestion="The contract price applies to this order as placed today.",
            )
        ]
        assert view.total == Decimal("80.00")
        assert checkout(x, x.buyer, requested_delivery_date=ends).problems == []


# --- 3. finance -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("Invoice 2026-17 overdue", "Your company's account is on hold: Invoice 2026-17 overdue."),
        ("", "Your company's account is on hold."),
    ],
)
def test_an_account_on_hold_cannot_order(alpha, x, products, reason, message):
    with schema_context(alpha.schema):
        x.company.status = CompanyStatus.ON_HOLD
        x.company.hold_reason = reason
        x.company.save()
        fill(x.buyer, {products["BOLT"]: 10})

        assert cart(x.buyer).problems == [
            Problem(
                "finance",
                "account_on_hold",
                message,
                suggestion="Contact your account manager; orders can be placed again once the "
                "hold is released.",
            )
        ]


@pytest.fixture
def pump(alpha, products) -> Any:
    """PUMP at 1,150.00, 20 in stock."""
    with schema_context(alpha.schema):
        made = ProductFactory(sku="PUMP", name="Pump", list_price=Decimal("1150.00"))
        StockLevelFactory(product=made, warehouse=products["warehouse"], on_hand=20)
        return made


def test_an_order_above_the_available_credit_of_a_net_terms_company_is_refused(alpha, x, pump):
    with schema_context(alpha.schema):
        # given a limit of 12,000 and an open order of 11,500 (10 pumps)
        x.company.credit_limit = Decimal("12000")
        x.company.save()
        place(x, x.buyer, {pump: 10})

        # when one more pump (1,150) is in the cart
        fill(x.buyer, {pump: 1})

        # then the finance layer says how much credit is left, with every figure
        view = cart(x.buyer)
        assert (view.open_value, view.credit_available) == (
            Decimal("11500.00"),
            Decimal("500.00"),
        )
        assert view.problems == [
            Problem(
                "finance",
                "credit_limit",
                "This order (EUR 1,150.00) is more than your available credit of EUR 500.00 "
                "(limit EUR 12,000.00, open orders EUR 11,500.00).",
                suggestion="Order less, or ask your account manager to raise the limit.",
            )
        ]


def test_open_orders_above_the_limit_leave_no_credit(alpha, x, pump):
    with schema_context(alpha.schema):
        place(x, x.buyer, {pump: 8})  # 9,200 open
        x.company.credit_limit = Decimal("5000")
        x.company.save()
        fill(x.buyer, {pump: 1})

        assert [p.message for p in cart(x.buyer).problems] == [
            "This order (EUR 1,150.00) is more than your available credit of EUR 0.00 "
            "(limit EUR 5,000.00, open orders EUR 9,200.00)."
        ]


def test_prepayment_companies_have_no_credit_limit(alpha, x, pump):
    with schema_context(alpha.schema):
        x.company.payment_terms = PaymentTerms.PREPAYMENT
        x.company.credit_limit = Decimal("0")
        x.company.save()
        fill(x.buyer, {pump: 5})
        assert cart(x.buyer).problems == []


# --- 4. logistics ---------------------------------------------------------------------------


def pallet_offer(quantity: int, pallets: int, rounded: int) -> Problem:
    return Problem(
        "logistics",
        "pallet_rounding",
        f"NUT: {quantity} pcs nearly fills {pallets} pallet{'s' if pallets > 1 else ''} of 100.",
        severity="warning",
        line="NUT",
        suggestion=f"Round up to {rounded} (full pallets ship sooner and cheaper).",
        fix={"set_quantity": rounded},
    )


@pytest.mark.parametrize(
    ("quantity", "offer"),
    [
        (60, pallet_offer(60, 1, 100)),
        (50, pallet_offer(50, 1, 100)),
        (160, pallet_offer(160, 2, 200)),
        (45, None),  # less than half a pallet over
        (140, None),
        (200, None),  # full pallets already
    ],
)
def test_a_nearly_full_pallet_is_offered_rounded_up(alpha, x, products, quantity, offer):
    with schema_context(alpha.schema):
        StockLevel.objects.filter(product=products["NUT"]).update(on_hand=1000)
        fill(x.buyer, {products["NUT"]: quantity})
        assert cart(x.buyer).problems == ([offer] if offer else [])


def test_accepting_the_pallet_rounding_removes_the_offer(alpha, x, products):
    with schema_context(alpha.schema):
        # given 60 NUT offered as a full pallet of 100
        StockLevel.objects.filter(product=products["NUT"]).update(on_hand=1000)
        fill(x.buyer, {products["NUT"]: 60})
        (offer,) = cart(x.buyer).problems

        # when the buyer accepts the offer
        cart_set_quantity(
            actor=x.buyer, product_id=products["NUT"].public_id, quantity=offer.fix["set_quantity"]
        )

        # then the cart holds the full pallet and nothing is left to say
        assert cart_lines(x.buyer) == [("NUT", 100)]
        assert cart(x.buyer).problems == []


def test_no_pallet_offer_when_the_full_pallet_breaks_the_order_multiple(alpha, x, products):
    with schema_context(alpha.schema):
        crate = ProductFactory(
            sku="CRATE", list_price=Decimal("1.00"), order_multiple=30, pallet_quantity=100
        )
        StockLevelFactory(product=crate, warehouse=products["warehouse"], on_hand=1000)
        fill(x.buyer, {crate: 90})  # 100 is not a multiple of 30
        assert cart(x.buyer).problems == []


def test_a_requested_date_before_the_lead_time_is_refused(clock, alpha, x, products):
    with schema_context(alpha.schema):
        # given GLUE (none in stock, ships in 5 days)
        fill(x.buyer, {products["GLUE"]: 2})
        today = portal_today()
        soon, earliest = today + timedelta(days=2), today + timedelta(days=5)

        view = checkout(x, x.buyer, requested_delivery_date=soon)
        assert coded(view.problems, "lead_time") == [
            Problem(
                "logistics",
                "lead_time",
                f"GLUE ships in 5 days: the earliest delivery is {words(earliest)}, after the "
                f"requested {words(soon)}.",
                line="GLUE",
                field="requested_delivery_date",
                suggestion=f"Choose {words(earliest)} or later, or order only what is in stock (0).",
            )
        ]
        assert [p.code for p in view.blocking] == ["lead_time"]
        assert (
            coded(checkout(x, x.buyer, requested_delivery_date=earliest).problems, "lead_time")
            == []
        )


def test_the_lead_time_does_not_matter_for_what_is_in_stock(clock, alpha, x, products):
    with schema_context(alpha.schema):
        StockLevelFactory(product=products["GLUE"], warehouse=products["warehouse"], on_hand=10)
        fill(x.buyer, {products["GLUE"]: 2})
        tomorrow = portal_today() + timedelta(days=1)
        assert checkout(x, x.buyer, requested_delivery_date=tomorrow).problems == []


# --- placing: every problem, nothing written ------------------------------------------------


def snapshot(user: Any) -> dict[str, Any]:
    return {
        "orders": Order.objects.count(),
        "cart": cart_lines(user),
        "audit": AuditEntry.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "notifications": Notification.objects.count(),
        "counters": list(OrderCounter.objects.values_list("year", "last")),
    }


def test_placing_a_cart_with_problems_reports_them_all_and_writes_nothing(
    clock, alpha, x, products
):
    with schema_context(alpha.schema):
        # given a company that requires PO numbers, and a cart with a line below the minimum,
        # a line not in a multiple, and a line that ships later
        x.company.po_required = True
        x.company.save()
        plug = ProductFactory(sku="PLUG", list_price=Decimal("1.00"), order_multiple=5)
        StockLevelFactory(product=plug, warehouse=products["warehouse"], on_hand=1000)
        fill(x.buyer, {products["NUT"]: 5, plug: 12, products["GLUE"]: 1})
        yesterday = portal_today() - timedelta(days=1)
        before = snapshot(x.buyer)

        # when the buyer places it without a PO number, for yesterday
        with pytest.raises(OrderInvalid) as refused:
            order_place(
                actor=x.buyer,
                data=CheckoutInput(
                    delivery_address=str(x.address.public_id), requested_delivery_date=yesterday
                ),
            )

        # then every problem is carried, in layer order, and the first is the message
        assert [(p.layer, p.code, p.line or p.field) for p in refused.value.problems] == [
            ("integrity", "po_required", "po_number"),
            ("integrity", "date_in_past", "requested_delivery_date"),
            ("business", "below_minimum", "NUT"),
            ("business", "not_a_multiple", "PLUG"),
            ("business", "ships_later", "GLUE"),
            ("logistics", "lead_time", "GLUE"),
        ]
        assert refused.value.code == "order_invalid"
        assert refused.value.message == (
            "Xylo GmbH requires a PO number on every order. (4 more problem(s))"
        )
        assert refused.value.as_dict()["problems"][2]["fix"] == {"set_quantity": 10}

        # and nothing was written: no order, no number used, the cart as it was, no audit
        assert snapshot(x.buyer) == before


def test_warnings_alone_do_not_stop_an_order(alpha, x, products):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["GLUE"]: 2, products["BOLT"]: 150})
        assert (order.process_state, order.total) == ("received", Decimal("1514.00"))
        assert list(order.lines.values_list("sku", "quantity")) == [("GLUE", 2), ("BOLT", 150)]
        assert cart_lines(x.buyer) == []


def test_the_in_stock_fix_respects_the_minimum_and_the_multiple(alpha, x, products):
    with schema_context(alpha.schema):
        # given 43 lock nuts in stock (minimum 10, multiples of 5) and 50 in the cart
        StockLevel.objects.filter(product=products["NUT"]).update(on_hand=43)
        cart_add(actor=x.buyer, product_id=products["NUT"].public_id, quantity=50)

        # then the offer is the most that is in stock *and* orderable: 40, not 43
        view = draft_view(x.buyer.membership, cart_items(buyer_cart(x.buyer.membership)))
        stock = next(p for p in view.problems if p.code == "out_of_stock")
        assert stock.fix == {"set_quantity": 40}
