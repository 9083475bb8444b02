"""The ordering services one by one: cart, quick order, requisition lists, reorder, the buyer's
approval, cancelling, shipments, payments and carriers. Every refusal is checked for its exact
message and for leaving everything as it was."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.catalog.models import StockLevel
from commerce.customers.choices import MemberRole, PaymentTerms
from commerce.ordering.access import access_list_by_id
from commerce.ordering.errors import (
    ApprovalRefused,
    OrderingError,
    OrderInvalid,
    TransitionRefused,
)
from commerce.ordering.models import (
    Carrier,
    CartLine,
    Notification,
    Order,
    OrderCounter,
    OrderEvent,
    RequisitionList,
    RequisitionListLine,
    Shipment,
    StockReservation,
)
from commerce.ordering.selectors import OrderFilters, buyer_status, filter_orders
from commerce.ordering.services import (
    carrier_save,
    cart_add,
    cart_remove,
    cart_set_quantity,
    list_add_cart,
    list_create,
    list_set_item,
    list_to_cart,
    order_approve,
    order_cancel,
    order_confirm,
    order_deliver,
    order_reject,
    order_reject_approval,
    order_validate,
    parse_quick_csv,
    parse_quick_text,
    payment_issue_proforma,
    payment_record,
    quick_order_apply,
    reorder_to_cart,
    shipment_create,
)
from commerce.ordering.services.cart import QuickLineProblem
from commerce.ordering.tests.conftest import place
from commerce.selectors import portal_today
from core.errors import NotFound, PermissionDenied
from tests.factories import MembershipFactory, ProductFactory, StockLevelFactory, UserFactory


def cart_lines(user: Any) -> list[tuple[str, int]]:
    return list(
        CartLine.objects.filter(cart__user=user)
        .order_by("id")
        .values_list("product__sku", "quantity")
    )


def list_lines(requisition_list: RequisitionList) -> list[tuple[str, int]]:
    return list(
        RequisitionListLine.objects.filter(requisition_list=requisition_list)
        .order_by("product__sku")
        .values_list("product__sku", "quantity")
    )


def state(order: Order) -> dict[str, Any]:
    """Everything a refused action must leave alone."""
    row = Order.objects.get(pk=order.pk)
    return {
        "states": (row.process_state, row.validation_state, row.payment_state),
        "paid": row.amount_paid,
        "decision": (row.approved_by_id, row.decision_comment, row.rejection_reason),
        "events": OrderEvent.objects.filter(order=order).count(),
        "audit": AuditEntry.objects.count(),
        "notifications": Notification.objects.filter(order=order).count(),
        "shipments": Shipment.objects.filter(order=order).count(),
        "shipped": list(
            order.lines.order_by("position").values_list("quantity_shipped", flat=True)
        ),
        "stock": list(
            StockLevel.objects.order_by("product__sku").values_list(
                "product__sku", "on_hand", "reserved"
            )
        ),
        "reservations": StockReservation.objects.filter(line__order=order).count(),
    }


def moves(order: Order) -> list[tuple[str, str, str]]:
    return list(
        OrderEvent.objects.filter(order=order)
        .order_by("id")
        .values_list("axis", "to_state", "comment")
    )


def told(order: Order) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(order=order).order_by("id").values_list("user__email", "kind")
    )


@pytest.fixture
def pump(alpha, products) -> Any:
    """PUMP at 1,200.00, 20 in stock."""
    with schema_context(alpha.schema):
        made = ProductFactory(sku="PUMP", name="Pump", list_price=Decimal("1200.00"))
        StockLevelFactory(product=made, warehouse=products["warehouse"], on_hand=20)
        return made


def confirmed(x: Any, staff: dict[str, Any], lines: dict[Any, int]) -> Order:
    """An order placed by x's buyer, validated and confirmed (stock reserved)."""
    order = place(x, x.buyer, lines)
    order_validate(actor=staff["validator"], order=order)
    return order_confirm(actor=staff["validator"], order=order)


# --- cart -----------------------------------------------------------------------------------


def test_adding_a_product_already_in_the_cart_adds_to_its_line(alpha, x, products):
    with schema_context(alpha.schema):
        cart_add(actor=x.buyer, product_id=products["BOLT"].public_id, quantity=3)
        cart_add(actor=x.buyer, product_id=products["NUT"].public_id, quantity="10")
        cart_add(actor=x.buyer, product_id=str(products["BOLT"].public_id), quantity=" 4 ")
        assert cart_lines(x.buyer) == [("BOLT", 7), ("NUT", 10)]


def test_setting_a_quantity_replaces_it_and_zero_removes_the_line(alpha, x, products):
    with schema_context(alpha.schema):
        cart_add(actor=x.buyer, product_id=products["BOLT"].public_id, quantity=3)
        cart_add(actor=x.buyer, product_id=products["NUT"].public_id, quantity=10)

        line = cart_set_quantity(actor=x.buyer, product_id=products["BOLT"].public_id, quantity=9)
        assert line is not None and line.quantity == 9
        assert cart_lines(x.buyer) == [("BOLT", 9), ("NUT", 10)]

        assert (
            cart_set_quantity(actor=x.buyer, product_id=products["BOLT"].public_id, quantity=0)
            is None
        )
        assert cart_lines(x.buyer) == [("NUT", 10)]
        cart_remove(actor=x.buyer, product_id=products["NUT"].public_id)
        assert cart_lines(x.buyer) == []


BAD_QUANTITIES = [
    ("2.5", "quantity_not_whole", "“2.5” is not a whole number: order whole units."),
    ("2,5", "quantity_not_whole", "“2,5” is not a whole number: order whole units."),
    ("abc", "quantity_invalid", "“abc” is not a quantity: write e.g. 12."),
    ("-3", "quantity_invalid", "“-3” is not a quantity: write e.g. 12."),
    ("", "quantity_invalid", "“” is not a quantity: write e.g. 12."),
    (0, "quantity_too_small", "The quantity must be at least 1."),
    ("1000001", "quantity_too_large", "1000001 is more than 1,000,000 units on one line."),
]


@pytest.mark.parametrize(("quantity", "code", "message"), BAD_QUANTITIES)
def test_a_bad_quantity_is_refused_with_what_is_wrong(alpha, x, products, quantity, code, message):
    with schema_context(alpha.schema):
        cart_add(actor=x.buyer, product_id=products["BOLT"].public_id, quantity=3)

        with pytest.raises(OrderingError) as refused:
            cart_add(actor=x.buyer, product_id=products["NUT"].public_id, quantity=quantity)
        assert (refused.value.code, refused.value.message) == (code, message)

        if quantity != 0:  # 0 means "remove" when setting a quantity
            with pytest.raises(OrderingError) as refused:
                cart_set_quantity(
                    actor=x.buyer, product_id=products["BOLT"].public_id, quantity=quantity
                )
            assert (refused.value.code, refused.value.message) == (code, message)

        assert cart_lines(x.buyer) == [("BOLT", 3)]


@pytest.mark.parametrize("product", ["restricted", "unknown id", "not an id"])
def test_a_product_the_company_may_not_see_is_not_found(alpha, x, products, product):
    with schema_context(alpha.schema):
        # given a company restricted to NUT
        x.company.assortment_restricted = True
        x.company.save()
        x.company.assortment.set([products["NUT"]])
        product_id = {
            "restricted": products["BOLT"].public_id,
            "unknown id": "8d4a1a1e-0000-4000-8000-000000000000",
            "not an id": "BOLT",
        }[product]

        with pytest.raises(NotFound) as refused:
            cart_add(actor=x.buyer, product_id=product_id, quantity=1)
        assert refused.value.message == "There is no such product."
        assert cart_lines(x.buyer) == []

        cart_add(actor=x.buyer, product_id=products["NUT"].public_id, quantity=10)
        assert cart_lines(x.buyer) == [("NUT", 10)]


def test_a_product_not_in_the_cart_cannot_have_its_quantity_set(alpha, x, products):
    with schema_context(alpha.schema):
        with pytest.raises(NotFound) as refused:
            cart_set_quantity(actor=x.buyer, product_id=products["BOLT"].public_id, quantity=2)
        assert refused.value.message == "That product is not in your cart."
        assert cart_lines(x.buyer) == []


@pytest.mark.parametrize(
    ("role", "message"),
    [
        (
            MemberRole.VIEWER,
            "Your role (viewer) lets you look at the catalogue and orders, but not order: ask your company admin.",
        ),
        (
            MemberRole.FINANCE,
            "Your role (finance) lets you look at the catalogue and orders, but not order: ask your company admin.",
        ),
    ],
)
def test_members_who_only_look_cannot_fill_a_cart(alpha, x, products, role, message):
    with schema_context(alpha.schema):
        looker = UserFactory(email=f"looker-{role}@buyer.test")
        MembershipFactory(company=x.company, user=looker, role=role)

        with pytest.raises(PermissionDenied) as refused:
            cart_add(actor=looker, product_id=products["BOLT"].public_id, quantity=1)
        assert refused.value.message == message
        assert cart_lines(looker) == []


def test_supplier_staff_have_no_cart(alpha, staff, products):
    with schema_context(alpha.schema), pytest.raises(NotFound):
        cart_add(actor=staff["administrator"], product_id=products["BOLT"].public_id, quantity=1)


# --- quick order ----------------------------------------------------------------------------


def test_pasted_lines_add_the_good_ones_and_report_each_bad_one_by_line(alpha, x, products):
    with schema_context(alpha.schema):
        text = "BOLT 5\nNOPE 3\nNUT 2.5\n\nGLUE\nnut;10\nBOLT\t2\n"

        result = quick_order_apply(actor=x.buyer, rows=parse_quick_text(text))

        assert result.added == [("BOLT", 5), ("NUT", 10), ("BOLT", 2)]
        assert result.problems == [
            QuickLineProblem(2, "NOPE 3", "There is no product with SKU “NOPE”."),
            QuickLineProblem(3, "NUT 2.5", "NUT: “2.5” is not a whole number: order whole units."),
            QuickLineProblem(5, "GLUE", "GLUE: the quantity is missing."),
        ]
        assert cart_lines(x.buyer) == [("BOLT", 7), ("NUT", 10)]


def test_a_pasted_sku_outside_the_assortment_reads_like_an_unknown_one(alpha, x, products):
    with schema_context(alpha.schema):
        x.company.assortment_restricted = True
        x.company.save()
        x.company.assortment.set([products["NUT"]])

        result = quick_order_apply(actor=x.buyer, rows=parse_quick_text("BOLT 5\nNUT 10"))

        assert result.added == [("NUT", 10)]
        assert result.problems == [
            QuickLineProblem(1, "BOLT 5", "There is no product with SKU “BOLT”.")
        ]


def test_a_csv_file_adds_its_good_rows_and_reports_bad_ones_by_row(alpha, x, products):
    with schema_context(alpha.schema):
        data = b"\xef\xbb\xbfSKU;Quantity\r\nBOLT;5\r\nNUT;abc\r\n\r\nGLUE;3;urgent\r\nNOPE;1\r\n"

        rows = parse_quick_csv(data)
        result = quick_order_apply(actor=x.buyer, rows=rows)

        # rows as a spreadsheet numbers them (the header is row 1; the blank row 4 counts)
        assert result.added == [("BOLT", 5), ("GLUE", 3)]
        assert result.problems == [
            QuickLineProblem(3, "NUT,abc", "NUT: “abc” is not a quantity: write e.g. 12."),
            QuickLineProblem(6, "NOPE,1", "There is no product with SKU “NOPE”."),
        ]
        assert cart_lines(x.buyer) == [("BOLT", 5), ("GLUE", 3)]


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (
            b"item,qty\nBOLT,5\n",
            "csv_columns",
            "The file needs a header row with the columns sku and quantity (found: item, qty).",
        ),
        (
            b"",
            "csv_columns",
            "The file needs a header row with the columns sku and quantity (found: none).",
        ),
        (
            "sku,quantity\nÉCROU,5\n".encode("latin-1"),
            "csv_encoding",
            "The file is not UTF-8 text: save it as CSV UTF-8 and try again.",
        ),
    ],
)
def test_a_csv_file_that_cannot_be_read_says_why(data, code, message):
    with pytest.raises(OrderingError) as refused:
        parse_quick_csv(data)
    assert (refused.value.code, refused.value.message) == (code, message)


def test_more_than_500_lines_at_once_are_refused(alpha, x, products):
    with schema_context(alpha.schema):
        text = "\n".join(["BOLT 1"] * 501)
        with pytest.raises(OrderingError) as refused:
            quick_order_apply(actor=x.buyer, rows=parse_quick_text(text))
        assert refused.value.message == "501 lines is more than 500 at once: split the list."
        assert cart_lines(x.buyer) == []


# --- requisition lists ----------------------------------------------------------------------


def test_a_list_is_created_with_a_clean_name_and_audited(alpha, x):
    with schema_context(alpha.schema):
        made = list_create(actor=x.buyer, name="  Weekly   restock ")
        assert (made.name, made.company_id, made.created_by_id) == (
            "Weekly restock",
            x.company.pk,
            x.buyer.pk,
        )
        entry = AuditEntry.objects.order_by("-id").first()
        assert entry is not None
        assert (entry.action, entry.object_id) == ("order_list.created", str(made.public_id))


def test_a_list_name_is_unique_in_the_company_only(alpha, x, y):
    with schema_context(alpha.schema):
        list_create(actor=x.buyer, name="Weekly restock")
        audit_before = AuditEntry.objects.count()

        with pytest.raises(OrderingError) as refused:
            list_create(actor=x.approver, name="Weekly  restock")
        assert (refused.value.code, refused.value.message, refused.value.field) == (
            "name_taken",
            "Your company already has a list called “Weekly restock”.",
            "name",
        )
        assert RequisitionList.objects.filter(company=x.company).count() == 1
        assert AuditEntry.objects.count() == audit_before

        # another company may use the same name
        assert list_create(actor=y.buyer, name="Weekly restock").company_id == y.company.pk


def test_a_list_needs_a_name(alpha, x):
    with schema_context(alpha.schema):
        with pytest.raises(OrderingError) as refused:
            list_create(actor=x.buyer, name="   ")
        assert (refused.value.code, refused.value.message) == (
            "name_required",
            "Give the list a name.",
        )
        assert RequisitionList.objects.count() == 0


def test_setting_a_list_item_replaces_its_quantity_and_zero_removes_it(alpha, x, products):
    with schema_context(alpha.schema):
        saved = list_create(actor=x.buyer, name="Site B")
        list_set_item(
            actor=x.buyer, requisition_list=saved, product_id=products["BOLT"].public_id, quantity=5
        )
        list_set_item(
            actor=x.approver,
            requisition_list=saved,
            product_id=products["NUT"].public_id,
            quantity="20",
        )
        list_set_item(
            actor=x.buyer, requisition_list=saved, product_id=products["BOLT"].public_id, quantity=8
        )
        assert list_lines(saved) == [("BOLT", 8), ("NUT", 20)]

        removed = list_set_item(
            actor=x.buyer, requisition_list=saved, product_id=products["NUT"].public_id, quantity=0
        )
        assert removed is None
        assert list_lines(saved) == [("BOLT", 8)]

        with pytest.raises(OrderingError) as refused:
            list_set_item(
                actor=x.buyer,
                requisition_list=saved,
                product_id=products["BOLT"].public_id,
                quantity="x",
            )
        assert refused.value.message == "“x” is not a quantity: write e.g. 12."
        assert list_lines(saved) == [("BOLT", 8)]


def test_a_list_goes_into_the_cart_added_to_what_is_there(alpha, x, products):
    with schema_context(alpha.schema):
        # given a list of BOLT 5, NUT 10 and GLUE 2 (GLUE since taken out of the catalogue)
        saved = list_create(actor=x.buyer, name="Site B")
        for product, quantity in (
            (products["BOLT"], 5),
            (products["NUT"], 10),
            (products["GLUE"], 2),
        ):
            list_set_item(
                actor=x.buyer,
                requisition_list=saved,
                product_id=product.public_id,
                quantity=quantity,
            )
        products["GLUE"].active = False
        products["GLUE"].save()
        cart_add(actor=x.approver, product_id=products["BOLT"].public_id, quantity=2)

        # when a colleague puts it into their cart
        added = list_to_cart(actor=x.approver, requisition_list=saved)

        # then the orderable lines are added to the cart's own
        assert added == 2
        assert cart_lines(x.approver) == [("BOLT", 7), ("NUT", 10)]


def test_the_cart_is_saved_on_a_list_replacing_quantities(alpha, x, products):
    with schema_context(alpha.schema):
        saved = list_create(actor=x.buyer, name="Site B")
        list_set_item(
            actor=x.buyer, requisition_list=saved, product_id=products["BOLT"].public_id, quantity=5
        )
        list_set_item(
            actor=x.buyer, requisition_list=saved, product_id=products["NUT"].public_id, quantity=20
        )
        cart_add(actor=x.buyer, product_id=products["BOLT"].public_id, quantity=3)
        cart_add(actor=x.buyer, product_id=products["GLUE"].public_id, quantity=2)

        assert list_add_cart(actor=x.buyer, requisition_list=saved) == 2
        assert list_lines(saved) == [("BOLT", 3), ("GLUE", 2), ("NUT", 20)]
        assert cart_lines(x.buyer) == [("BOLT", 3), ("GLUE", 2)]


def test_another_companys_list_is_not_found(alpha, x, y, products):
    with schema_context(alpha.schema):
        saved = list_create(actor=x.buyer, name="Site B")
        list_set_item(
            actor=x.buyer, requisition_list=saved, product_id=products["BOLT"].public_id, quantity=5
        )
        cart_add(actor=y.buyer, product_id=products["NUT"].public_id, quantity=10)

        with pytest.raises(NotFound) as refused:
            access_list_by_id(y.buyer, saved.public_id)
        assert refused.value.message == "There is no such list."
        for attempt in (
            lambda: list_to_cart(actor=y.buyer, requisition_list=saved),
            lambda: list_add_cart(actor=y.buyer, requisition_list=saved),
            lambda: list_set_item(
                actor=y.buyer,
                requisition_list=saved,
                product_id=products["NUT"].public_id,
                quantity=1,
            ),
        ):
            with pytest.raises(NotFound) as refused:
                attempt()
            assert refused.value.message == "There is no such list."

        assert list_lines(saved) == [("BOLT", 5)]
        assert cart_lines(y.buyer) == [("NUT", 10)]
        assert access_list_by_id(x.viewer, saved.public_id) == saved


# --- reorder --------------------------------------------------------------------------------


def test_reordering_uses_todays_prices_and_says_what_changed(alpha, x, products):
    with schema_context(alpha.schema):
        # given a past order of BOLT at 10.00, NUT at 2.50 and GLUE; since then BOLT costs
        # 12.50 and GLUE is no longer sold
        past = place(x, x.buyer, {products["BOLT"]: 10, products["NUT"]: 20, products["GLUE"]: 1})
        products["BOLT"].list_price = Decimal("12.50")
        products["BOLT"].save()
        products["GLUE"].active = False
        products["GLUE"].save()

        result = reorder_to_cart(actor=x.buyer, order=past)

        assert result.added == 2
        assert [(n.sku, n.message) for n in result.notes] == [
            ("BOLT", "BOLT: the price went up from EUR 10.00 to EUR 12.50 per pcs."),
            ("GLUE", "GLUE (Thread glue) can no longer be ordered."),
        ]
        assert cart_lines(x.buyer) == [("BOLT", 10), ("NUT", 20)]


def test_reordering_chosen_lines_only(alpha, x, products):
    with schema_context(alpha.schema):
        past = place(x, x.buyer, {products["BOLT"]: 10, products["NUT"]: 20})
        nut_line = past.lines.get(sku="NUT")
        products["BOLT"].list_price = Decimal("9.00")
        products["BOLT"].save()

        result = reorder_to_cart(actor=x.buyer, order=past, line_ids=[nut_line.pk])

        assert (result.added, result.notes) == (1, [])
        assert cart_lines(x.buyer) == [("NUT", 20)]


def test_another_companys_order_cannot_be_reordered(alpha, x, y, products):
    with schema_context(alpha.schema):
        past = place(x, x.buyer, {products["BOLT"]: 10})
        with pytest.raises(NotFound):
            reorder_to_cart(actor=y.buyer, order=past)
        assert cart_lines(y.buyer) == []


# --- the buyer's approval -------------------------------------------------------------------


@pytest.fixture
def threshold(alpha, x) -> None:
    """x's orders above 100.00 need approval."""
    with schema_context(alpha.schema):
        x.company.approval_threshold = Decimal("100")
        x.company.save()


def test_an_order_above_the_threshold_waits_for_an_approver(alpha, x, products, threshold):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 20})

        assert (order.process_state, order.approval_reason) == (
            "awaiting_approval",
            "Orders above EUR 100.00 need approval in your company.",
        )
        assert told(order) == [
            ("x-buyer@buyer.test", "submitted"),
            ("x-admin@buyer.test", "approval_needed"),
            ("x-approver@buyer.test", "approval_needed"),
        ]

        approved = order_approve(actor=x.approver, order=order, comment=" Fine ")
        assert (approved.process_state, approved.approved_by, approved.decision_comment) == (
            "received",
            x.approver,
            "Fine",
        )
        assert moves(order) == [
            (
                "process",
                "awaiting_approval",
                "Orders above EUR 100.00 need approval in your company.",
            ),
            ("process", "received", "Fine"),
        ]
        assert told(order)[-1] == ("x-buyer@buyer.test", "approved")


def test_a_buyers_own_order_limit_also_asks_for_approval(alpha, x, products):
    with schema_context(alpha.schema):
        x.buyer.membership.order_limit = Decimal("50")
        x.buyer.membership.save()
        order = place(x, x.buyer, {products["BOLT"]: 10})
        assert (order.process_state, order.approval_reason) == (
            "awaiting_approval",
            "The order is above your own limit of EUR 50.00.",
        )


def test_nobody_approves_their_own_order(alpha, x, products, threshold):
    with schema_context(alpha.schema):
        order = place(x, x.approver, {products["BOLT"]: 20})
        before = state(order)

        with pytest.raises(ApprovalRefused) as refused:
            order_approve(actor=x.approver, order=order)
        assert (refused.value.code, refused.value.message) == (
            "own_order",
            "Nobody approves their own order: ask a colleague.",
        )
        assert state(order) == before


def test_an_approver_is_refused_above_their_limit_and_an_admin_is_not(alpha, x, pump, threshold):
    with schema_context(alpha.schema):
        # given an order of 6,000 (the approver may approve up to 5,000)
        order = place(x, x.buyer, {pump: 5})
        before = state(order)

        with pytest.raises(ApprovalRefused) as refused:
            order_approve(actor=x.approver, order=order)
        assert (refused.value.code, refused.value.message) == (
            "over_limit",
            f"Order {order.number} (EUR 6,000.00) is above your approval limit of EUR 5,000.00.",
        )
        assert state(order) == before

        # the company admin approves any amount
        approved = order_approve(actor=x.admin, order=order)
        assert (approved.process_state, approved.approved_by) == ("received", x.admin)


def test_approvers_above_whose_limit_the_order_is_are_not_asked(alpha, x, pump, threshold):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {pump: 5})
        assert told(order) == [
            ("x-buyer@buyer.test", "submitted"),
            ("x-admin@buyer.test", "approval_needed"),
        ]


def test_an_order_nobody_may_approve_is_not_placed(alpha, x, pump, threshold):
    with schema_context(alpha.schema):
        # given the admin places 6,000 and the only approver may approve 5,000
        with pytest.raises(OrderInvalid) as refused:
            place(x, x.admin, {pump: 5})
        assert [(p.code, p.message) for p in refused.value.problems] == [
            (
                "no_approver",
                "Orders above EUR 100.00 need approval in your company. Nobody in your company "
                "can approve EUR 6,000.00.",
            )
        ]
        assert Order.objects.count() == 0


def test_an_approver_must_say_why_they_reject(alpha, x, products, threshold):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 20})
        before = state(order)

        with pytest.raises(ApprovalRefused) as refused:
            order_reject_approval(actor=x.approver, order=order, comment="  ")
        assert (refused.value.code, refused.value.message, refused.value.field) == (
            "comment_required",
            "Say why you reject the order.",
            "comment",
        )
        assert state(order) == before

        rejected = order_reject_approval(actor=x.approver, order=order, comment="Over budget")
        assert (rejected.process_state, rejected.decision_comment) == ("cancelled", "Over budget")
        assert buyer_status(rejected) == "Rejected by your approver"
        assert told(order)[-1] == ("x-buyer@buyer.test", "approval_rejected")


def test_a_decided_order_cannot_be_decided_again(alpha, x, products, threshold):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 20})
        order_approve(actor=x.approver, order=order)
        before = state(order)

        with pytest.raises(ApprovalRefused) as refused:
            order_approve(actor=x.admin, order=order)
        assert refused.value.message == (
            f"Order {order.number} was already approved by Xylo GmbH approver."
        )
        with pytest.raises(ApprovalRefused) as refused:
            order_reject_approval(actor=x.admin, order=order, comment="No")
        assert refused.value.code == "already_decided"
        assert state(order) == before


def test_buyers_and_other_companies_do_not_decide(alpha, x, y, products, threshold):
    with schema_context(alpha.schema):
        colleague = UserFactory(email="x-colleague@buyer.test")
        MembershipFactory(company=x.company, user=colleague, role=MemberRole.BUYER)
        order = place(x, x.buyer, {products["BOLT"]: 20})
        before = state(order)

        with pytest.raises(PermissionDenied) as refused:
            order_approve(actor=colleague, order=order)
        assert refused.value.message == "Only your company's approvers and admins decide orders."
        with pytest.raises(NotFound):
            order_approve(actor=y.approver, order=order)
        assert state(order) == before


# --- cancelling -----------------------------------------------------------------------------


def test_the_buyer_cancels_while_the_order_waits_for_approval(alpha, x, products, threshold):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 20})
        cancelled = order_cancel(actor=x.buyer, order=order, reason=" Ordered twice ")
        assert cancelled.process_state == "cancelled"
        assert moves(order)[-1] == ("process", "cancelled", "Ordered twice")
        assert buyer_status(cancelled) == "Cancelled"


def test_the_buyer_cancels_a_received_order_and_a_colleague_may_not(alpha, x, products):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 5})
        before = state(order)

        with pytest.raises(PermissionDenied) as refused:
            order_cancel(actor=x.approver, order=order)
        assert refused.value.message == "Only the buyer who placed it or a company admin cancels."
        with pytest.raises(PermissionDenied):
            order_cancel(actor=x.viewer, order=order)
        assert state(order) == before

        assert order_cancel(actor=x.admin, order=order).process_state == "cancelled"


def test_once_the_supplier_handles_it_the_buyer_is_too_late(alpha, x, products, staff):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 5})
        order_validate(actor=staff["validator"], order=order)
        before = state(order)

        with pytest.raises(TransitionRefused) as refused:
            order_cancel(actor=x.buyer, order=order)
        assert (refused.value.code, refused.value.message) == (
            "too_late",
            f"Order {order.number} is already being handled by the supplier: contact them to "
            "cancel it.",
        )
        assert state(order) == before


def test_a_validator_cancels_with_a_reason_and_the_buyer_is_told(alpha, x, products, staff):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 5})
        order_validate(actor=staff["validator"], order=order)
        before = state(order)

        with pytest.raises(TransitionRefused) as refused:
            order_cancel(actor=staff["validator"], order=order, reason=" ")
        assert (refused.value.code, refused.value.message, refused.value.field) == (
            "reason_required",
            "Say why the order is cancelled.",
            "reason",
        )
        with pytest.raises(PermissionDenied) as denied:
            order_cancel(actor=staff["dispatcher"], order=order, reason="Because")
        assert denied.value.message == "Only administrators and validators cancel orders."
        assert state(order) == before

        cancelled = order_cancel(actor=staff["validator"], order=order, reason="Discontinued")
        assert cancelled.process_state == "cancelled"
        assert moves(order)[-1] == ("process", "cancelled", "Discontinued")
        assert told(order)[-1] == ("x-buyer@buyer.test", "cancelled")


def test_cancelling_a_confirmed_order_gives_its_stock_back(alpha, x, products, staff):
    with schema_context(alpha.schema):
        # given a confirmed order holding 20 BOLT and 40 NUT
        order = confirmed(x, staff, {products["BOLT"]: 20, products["NUT"]: 40})
        assert StockReservation.objects.filter(line__order=order).count() == 2
        assert state(order)["stock"] == [("BOLT", 100, 20), ("NUT", 40, 40)]

        order_cancel(actor=staff["validator"], order=order, reason="Customer called")

        assert state(order)["stock"] == [("BOLT", 100, 0), ("NUT", 40, 0)]
        assert StockReservation.objects.filter(line__order=order).count() == 0


def test_a_dispatched_order_is_not_cancelled_and_keeps_its_stock(
    alpha, x, products, staff, carrier
):
    with schema_context(alpha.schema):
        order = confirmed(x, staff, {products["BOLT"]: 20})
        shipment_create(
            actor=staff["dispatcher"], order=order, carrier_id=carrier.public_id, quantities={1: 5}
        )
        before = state(order)

        with pytest.raises(TransitionRefused) as refused:
            order_cancel(actor=staff["administrator"], order=order, reason="Too late")
        assert refused.value.message == (
            f"Order {order.number} is in dispatch; it cannot become cancelled."
        )
        assert state(order) == before
        assert before["stock"][0] == ("BOLT", 95, 15)


def test_a_supplier_rejection_cancels_the_order_with_its_reason(alpha, x, products, staff):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 5})
        with pytest.raises(TransitionRefused) as refused:
            order_reject(actor=staff["validator"], order=order, reason="")
        assert refused.value.message == "Say why the order is rejected: the buyer sees it."

        rejected = order_reject(actor=staff["validator"], order=order, reason="No export licence")
        assert (rejected.process_state, rejected.validation_state, rejected.rejection_reason) == (
            "cancelled",
            "rejected",
            "No export licence",
        )
        assert buyer_status(rejected) == "Rejected by the supplier"


# --- shipments ------------------------------------------------------------------------------


def test_an_order_ships_in_parts_then_is_delivered(alpha, x, products, staff, carrier):
    with schema_context(alpha.schema):
        order = confirmed(x, staff, {products["BOLT"]: 20, products["NUT"]: 40})

        # when 5 BOLT ship first
        first = shipment_create(
            actor=staff["dispatcher"],
            order=order,
            carrier_id=carrier.public_id,
            tracking_number=" 00340434 ",
            quantities={1: 5, 2: 0},
        )
        assert (first.carrier_name, first.tracking_number, first.tracking_url) == (
            "DHL",
            "00340434",
            "https://dhl.example/t/00340434",
        )
        assert list(first.lines.values_list("line__sku", "quantity")) == [("BOLT", 5)]
        after_first = state(order)
        assert after_first["states"][0] == "in_dispatch"
        assert after_first["shipped"] == [5, 0]
        assert after_first["stock"] == [("BOLT", 95, 15), ("NUT", 40, 40)]
        order.refresh_from_db()
        assert buyer_status(order) == "Partly shipped"

        # and not yet delivered
        with pytest.raises(TransitionRefused) as refused:
            order_deliver(actor=staff["dispatcher"], order=order)
        assert refused.value.message == (
            "Some lines have not shipped yet: ship them before marking the order delivered."
        )

        # when the rest ships (no tracking number)
        rest = shipment_create(actor=staff["dispatcher"], order=order, carrier_id=carrier.public_id)
        assert rest.tracking_url == ""
        assert list(rest.lines.order_by("line__position").values_list("line__sku", "quantity")) == [
            ("BOLT", 15),
            ("NUT", 40),
        ]
        after_rest = state(order)
        assert after_rest["shipped"] == [20, 40]
        assert after_rest["stock"] == [("BOLT", 80, 0), ("NUT", 0, 0)]
        assert after_rest["reservations"] == 0

        delivered = order_deliver(actor=staff["dispatcher"], order=order)
        assert delivered.process_state == "delivered"
        assert Shipment.objects.filter(order=order, delivered_at__isnull=True).count() == 0
        assert [kind for _, kind in told(order)] == [
            "submitted",
            "validated",
            "confirmed",
            "dispatched",
            "dispatched",
            "delivered",
        ]


@pytest.mark.parametrize(
    ("quantities", "code", "message"),
    [
        ({1: 21}, "over_shipped", "Line 1 (BOLT): 20 left to ship, not 21."),
        ({9: 1}, "unknown_line", "The order has no line 9."),
        ({1: -1}, "quantity_invalid", "Line 1: ship 0 or more."),
        ({1: 0}, "nothing_to_ship", "Choose at least one unit to ship."),
    ],
)
def test_a_shipment_that_does_not_fit_the_order_is_refused(
    alpha, x, products, staff, carrier, quantities, code, message
):
    with schema_context(alpha.schema):
        order = confirmed(x, staff, {products["BOLT"]: 20})
        before = state(order)

        with pytest.raises(OrderingError) as refused:
            shipment_create(
                actor=staff["dispatcher"],
                order=order,
                carrier_id=carrier.public_id,
                quantities=quantities,
            )
        assert (refused.value.code, refused.value.message) == (code, message)
        assert state(order) == before
        assert before["states"][0] == "confirmed"


def test_over_shipping_after_a_partial_shipment_is_refused(alpha, x, products, staff, carrier):
    with schema_context(alpha.schema):
        order = confirmed(x, staff, {products["BOLT"]: 20})
        shipment_create(
            actor=staff["dispatcher"], order=order, carrier_id=carrier.public_id, quantities={1: 15}
        )
        before = state(order)

        with pytest.raises(OrderingError) as refused:
            shipment_create(
                actor=staff["dispatcher"],
                order=order,
                carrier_id=carrier.public_id,
                quantities={1: 6},
            )
        assert refused.value.message == "Line 1 (BOLT): 5 left to ship, not 6."
        assert state(order) == before


def test_the_tracking_number_is_quoted_into_the_carriers_link(alpha, x, products, staff, carrier):
    with schema_context(alpha.schema):
        order = confirmed(x, staff, {products["BOLT"]: 20})
        shipment = shipment_create(
            actor=staff["dispatcher"],
            order=order,
            carrier_id=carrier.public_id,
            tracking_number="JD 01/ä?x=1&y#2",
        )
        assert shipment.tracking_url == "https://dhl.example/t/JD%2001%2F%C3%A4%3Fx%3D1%26y%232"


def test_shipping_needs_a_carrier_and_a_confirmed_order(alpha, x, products, staff, carrier):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 20})
        before = state(order)
        with pytest.raises(TransitionRefused) as refused:
            shipment_create(actor=staff["dispatcher"], order=order, carrier_id=carrier.public_id)
        assert (refused.value.code, refused.value.message) == (
            "not_shippable",
            f"Order {order.number} is received: only confirmed orders ship.",
        )
        assert state(order) == before

        order = confirmed(x, staff, {products["BOLT"]: 10})
        before = state(order)
        for carrier_id in ("", "DHL", "8d4a1a1e-0000-4000-8000-000000000000"):
            with pytest.raises(OrderingError) as refused:
                shipment_create(actor=staff["dispatcher"], order=order, carrier_id=carrier_id)
            assert (refused.value.code, refused.value.message) == (
                "carrier_required",
                "Choose a carrier.",
            )
        with pytest.raises(PermissionDenied) as denied:
            shipment_create(actor=staff["validator"], order=order, carrier_id=carrier.public_id)
        assert denied.value.message == (
            "Only administrators and dispatchers can ship orders or mark them delivered."
        )
        assert state(order) == before


def test_a_prepayment_order_ships_only_once_paid(alpha, x, products, staff, carrier):
    with schema_context(alpha.schema):
        # given a prepayment customer's confirmed order of 200.00
        x.company.payment_terms = PaymentTerms.PREPAYMENT
        x.company.save()
        order = confirmed(x, staff, {products["BOLT"]: 20})
        payment_record(actor=staff["finance"], order=order, amount="150")
        order.refresh_from_db()
        assert buyer_status(order) == "Confirmed, waiting for your payment"
        before = state(order)

        # when it ships before it is paid in full, then it is refused with the rule's message
        with pytest.raises(TransitionRefused) as refused:
            shipment_create(actor=staff["dispatcher"], order=order, carrier_id=carrier.public_id)
        assert (refused.value.code, refused.value.message) == (
            "transition_blocked",
            "This customer pays in advance: the order ships once it is paid in full.",
        )
        assert state(order) == before

        # once paid in full, it ships
        payment_record(actor=staff["finance"], order=order, amount="50")
        shipment_create(actor=staff["dispatcher"], order=order, carrier_id=carrier.public_id)
        assert state(order)["states"] == ("in_dispatch", "approved", "paid")


# --- payments -------------------------------------------------------------------------------


def test_a_payment_in_parts_makes_the_order_partly_then_fully_paid(alpha, x, products, staff):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 20})  # 200.00
        payment_issue_proforma(actor=staff["finance"], order=order)

        first = payment_record(
            actor=staff["finance"], order=order, amount="50,5", reference=" TRF-1 "
        )
        assert (first.payment_state, first.amount_paid) == ("partially_paid", Decimal("50.50"))
        second = payment_record(actor=staff["finance"], order=order, amount="20")
        assert (second.payment_state, second.amount_paid) == ("partially_paid", Decimal("70.50"))
        entry = AuditEntry.objects.order_by("-id").first()
        assert entry is not None
        assert (entry.action, entry.details) == (
            "order.payment_recorded",
            {"c": "EUR 20.00 received"},
        )
        last = payment_record(actor=staff["finance"], order=order, amount=Decimal("129.50"))
        assert (last.payment_state, last.amount_paid) == ("paid", Decimal("200.00"))

        assert [m for m in moves(order) if m[0] == "payment"] == [
            ("payment", "proforma_issued", ""),
            ("payment", "partially_paid", "EUR 50.50 received (TRF-1)"),
            ("payment", "paid", "EUR 129.50 received"),
        ]


@pytest.mark.parametrize(
    ("amount", "code", "message"),
    [
        (
            "150.01",
            "amount_out_of_range",
            "Enter an amount between 0.01 and EUR 150.00 (what is still due).",
        ),
        (
            "0",
            "amount_out_of_range",
            "Enter an amount between 0.01 and EUR 150.00 (what is still due).",
        ),
        (
            "-5",
            "amount_out_of_range",
            "Enter an amount between 0.01 and EUR 150.00 (what is still due).",
        ),
        (
            "0.004",
            "amount_out_of_range",
            "Enter an amount between 0.01 and EUR 150.00 (what is still due).",
        ),
        (
            "1e999999",
            "amount_out_of_range",
            "Enter an amount between 0.01 and EUR 150.00 (what is still due).",
        ),
        ("abc", "amount_invalid", "“abc” is not an amount: write it like 120.50."),
        ("1,234.50", "amount_invalid", "“1,234.50” is not an amount: write it like 120.50."),
        ("NaN", "amount_invalid", "“NaN” is not an amount: write it like 120.50."),
        ("Infinity", "amount_invalid", "“Infinity” is not an amount: write it like 120.50."),
    ],
)
def test_a_payment_outside_what_is_due_is_refused(alpha, x, products, staff, amount, code, message):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 20})
        payment_record(actor=staff["finance"], order=order, amount="50")
        before = state(order)

        with pytest.raises(OrderingError) as refused:
            payment_record(actor=staff["finance"], order=order, amount=amount)
        assert (refused.value.code, refused.value.message, refused.value.field) == (
            code,
            message,
            "amount",
        )
        assert state(order) == before


def test_a_cancelled_order_takes_no_more_payments(alpha, x, products, staff):
    with schema_context(alpha.schema):
        # given an order paid in part, then cancelled
        order = place(x, x.buyer, {products["BOLT"]: 20})
        payment_record(actor=staff["finance"], order=order, amount="50")
        order_cancel(actor=x.buyer, order=order)
        before = state(order)

        # when another part-payment is recorded, then it is refused and nothing changes
        with pytest.raises(TransitionRefused) as refused:
            payment_record(actor=staff["finance"], order=order, amount="20")
        assert (refused.value.code, refused.value.message) == (
            "transition_blocked",
            "A cancelled or unsubmitted order takes no payments.",
        )
        assert state(order) == before
        assert before["paid"] == Decimal("50.00")


def test_only_finance_records_payments(alpha, x, products, staff):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 20})
        before = state(order)
        with pytest.raises(PermissionDenied) as refused:
            payment_record(actor=staff["dispatcher"], order=order, amount="10")
        assert refused.value.message == "Only administrators and finance staff can record payments."
        with pytest.raises(PermissionDenied):
            payment_record(actor=x.buyer, order=order, amount="10")
        assert state(order) == before


# --- carriers -------------------------------------------------------------------------------


def test_a_carrier_is_saved_with_an_https_template(alpha, staff):
    with schema_context(alpha.schema):
        made = carrier_save(
            actor=staff["dispatcher"],
            name="  UPS  Standard ",
            tracking_url_template=" https://ups.example/track?n={tracking} ",
        )
        assert (made.name, made.tracking_url_template, made.active) == (
            "UPS Standard",
            "https://ups.example/track?n={tracking}",
            True,
        )
        entry = AuditEntry.objects.order_by("-id").first()
        assert entry is not None
        assert (entry.action, entry.changes["name"]) == ("carrier.saved", ["", "UPS Standard"])

        changed = carrier_save(
            actor=staff["administrator"],
            carrier=made,
            name="UPS",
            tracking_url_template="https://ups.example/t/{tracking}",
            active=False,
        )
        assert Carrier.objects.filter(pk=made.pk).values_list("name", "active").get() == (
            "UPS",
            False,
        )
        assert changed.pk == made.pk


@pytest.mark.parametrize(
    ("template", "code", "message"),
    [
        (
            "https://ups.example/track",
            "template_placeholder",
            "The tracking link needs {tracking} where the tracking number goes, e.g. "
            "https://track.example.com/?id={tracking}",
        ),
        (
            "http://ups.example/t/{tracking}",
            "template_url",
            "The tracking link must be an https:// address.",
        ),
        (
            "javascript:alert({tracking})",
            "template_url",
            "The tracking link must be an https:// address.",
        ),
        ("https:///t/{tracking}", "template_url", "The tracking link must be an https:// address."),
    ],
)
def test_a_carrier_template_needs_the_placeholder_and_https(alpha, staff, template, code, message):
    with schema_context(alpha.schema):
        with pytest.raises(OrderingError) as refused:
            carrier_save(actor=staff["dispatcher"], name="UPS", tracking_url_template=template)
        assert (refused.value.code, refused.value.message, refused.value.field) == (
            code,
            message,
            "tracking_url_template",
        )
        assert Carrier.objects.filter(name="UPS").exists() is False


def test_carrier_names_are_unique_and_only_some_staff_manage_them(alpha, staff, carrier):
    with schema_context(alpha.schema):
        with pytest.raises(OrderingError) as refused:
            carrier_save(
                actor=staff["dispatcher"],
                name="DHL",
                tracking_url_template="https://x.example/{tracking}",
            )
        assert refused.value.message == "There is already a carrier called “DHL”."
        with pytest.raises(PermissionDenied) as denied:
            carrier_save(
                actor=staff["validator"],
                name="GLS",
                tracking_url_template="https://x.example/{tracking}",
            )
        assert denied.value.message == "Only administrators and dispatchers manage carriers."
        assert list(Carrier.objects.values_list("name", flat=True)) == ["DHL"]


# --- selectors the pages lean on ------------------------------------------------------------


def test_an_order_filter_with_a_company_id_that_is_not_one_finds_nothing(alpha, x, products):
    with schema_context(alpha.schema):
        place(x, x.buyer, {products["BOLT"]: 5})
        found = filter_orders(Order.objects.all(), OrderFilters(company="not-an-id"), None)
        assert list(found) == []
        mine = filter_orders(
            Order.objects.all(), OrderFilters(company=str(x.company.public_id)), None
        )
        assert mine.count() == 1


def test_a_net_terms_order_does_not_ship_while_the_customer_is_over_its_limit(
    alpha, x, products, staff, carrier
):
    with schema_context(alpha.schema):
        # given a confirmed net-terms order of 200.00, and the limit lowered since it was placed
        order = confirmed(x, staff, {products["BOLT"]: 20})
        x.company.credit_limit = Decimal("150")
        x.company.save()
        before = state(order)

        # when it ships, then the cross-axis rule refuses and nothing changes
        with pytest.raises(TransitionRefused) as refused:
            shipment_create(actor=staff["dispatcher"], order=order, carrier_id=carrier.public_id)
        assert refused.value.message == (
            "The customer is over its credit limit: record a payment or raise the limit "
            "before dispatch."
        )
        assert state(order) == before

        # once part of it is paid, the customer is back under the limit and it ships
        payment_record(actor=staff["finance"], order=order, amount="60")
        shipment_create(actor=staff["dispatcher"], order=order, carrier_id=carrier.public_id)
        assert state(order)["states"] == ("in_dispatch", "approved", "partially_paid")


def test_an_order_that_never_needed_approval_says_so(alpha, x, products):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 2})
        with pytest.raises(ApprovalRefused) as refused:
            order_approve(actor=x.approver, order=order)
        assert (refused.value.code, refused.value.message) == (
            "not_awaiting_approval",
            f"Order {order.number} is not waiting for approval (it is received).",
        )


def test_list_names_are_unique_whatever_their_case(alpha, x):
    with schema_context(alpha.schema):
        list_create(actor=x.buyer, name="Weekly restock")
        with pytest.raises(OrderingError) as refused:
            list_create(actor=x.buyer, name="WEEKLY RESTOCK")
        assert refused.value.message == "Your company already has a list called “WEEKLY RESTOCK”."
        assert RequisitionList.objects.filter(company=x.company).count() == 1


def test_a_paid_order_takes_no_more_payments(alpha, x, products, staff):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 2})
        payment_record(actor=staff["finance"], order=order, amount="20")
        with pytest.raises(OrderingError) as refused:
            payment_record(actor=staff["finance"], order=order, amount="1")
        assert (refused.value.code, refused.value.message) == (
            "paid_in_full",
            f"Order {order.number} is paid in full.",
        )


def test_a_decision_clears_every_approvers_request(alpha, x, products):
    with schema_context(alpha.schema):
        x.company.approval_threshold = Decimal("10")
        x.company.save()
        order = place(x, x.buyer, {products["BOLT"]: 2})
        asked = Notification.objects.filter(order=order, kind="approval_needed")
        assert sorted(asked.values_list("user__email", flat=True)) == [
            "x-admin@buyer.test",
            "x-approver@buyer.test",
        ]
        order_approve(actor=x.approver, order=order)
        assert not asked.filter(read_at__isnull=True).exists()


def test_orders_are_numbered_per_year_in_six_digits_and_past_them(clock, alpha, x, products):
    with schema_context(alpha.schema):
        year = portal_today().year
        first = place(x, x.buyer, {products["BOLT"]: 1})
        OrderCounter.objects.filter(year=year).update(last=999_999)
        big = place(x, x.buyer, {products["BOLT"]: 1})

        assert (first.number, big.number) == (f"{year}-000001", f"{year}-1000000")
        stored = set(Order.objects.values_list("number", flat=True))
        assert stored == {f"{year}-000001", f"{year}-1000000"}


@pytest.mark.parametrize(
    ("clock", "number"),
    [
        (datetime(2026, 12, 31, 22, 59, tzinfo=UTC), "2026-000001"),  # 23:59 in Amsterdam
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), "2027-000001"),  # New Year there, not in UTC
    ],
    indirect=["clock"],
)
def test_an_order_is_numbered_in_the_suppliers_year(clock, alpha, x, products, number):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 1})
        assert order.number == number
