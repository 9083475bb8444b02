"""The ordering API: cart → order → approval → validation → confirmation → shipments →
delivery → payments over HTTP with exact JSON; the 422 problem list; quick order; lists; the
orders list's filters; who reaches what (another company, another tenant, viewers, the wrong
staff role, anonymous, API keys); the list's query count; the OpenAPI description."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from api.services import api_key_create
from audit.models import AuditEntry
from commerce.catalog.models import StockLevel
from commerce.ordering.models import CartLine, Order, OrderEvent, RequisitionList, Shipment
from commerce.ordering.services import list_create, list_set_item
from commerce.ordering.tests.conftest import login, place
from commerce.selectors import portal_today
from tests.factories import MembershipFactory, UserFactory


def money(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "EUR"}


def iso(moment: datetime | None) -> str | None:
    """A datetime as the API writes it (UTC, ``Z``)."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def send(client: Client, method: str, path: str, data: Any = None) -> Any:
    body = data if isinstance(data, str) else json.dumps(data if data is not None else {})
    return getattr(client, method)(path, body, content_type="application/json")


def product_ref(product: Any) -> dict[str, str]:
    return {"id": str(product.public_id), "sku": product.sku, "name": product.name, "unit": "pcs"}


def audit_count(alpha: Any) -> int:
    with schema_context(alpha.schema):
        return AuditEntry.objects.count()


# --- the whole life of an order -------------------------------------------------------------


IN_STOCK = {"code": "in_stock", "label": "In stock", "quantity": None}


def test_cart_to_paid_order_through_the_api(clock, alpha, x, products, staff, carrier):
    bolt, nut = products["BOLT"], products["NUT"]
    with schema_context(alpha.schema):
        x.company.approval_threshold = Decimal("100")
        x.company.save()
        wanted = portal_today() + timedelta(days=10)
    buyer = login(alpha.client(), "x-buyer@buyer.test")

    # given a cart with 20 bolts and 40 nuts
    added = send(
        buyer, "post", "/api/v1/cart/lines", {"product": str(bolt.public_id), "quantity": 20}
    )
    assert added.status_code == 200
    added = send(
        buyer, "post", "/api/v1/cart/lines", {"product": str(nut.public_id), "quantity": "40"}
    )
    cart = {
        "lines": [
            {
                "product": product_ref(bolt),
                "quantity": 20,
                "unit_price": money("10.0000"),
                "price_reason": "List price",
                "line_total": money("200.00"),
                "availability": IN_STOCK,
                "problems": [],
            },
            {
                "product": product_ref(nut),
                "quantity": 40,
                "unit_price": money("2.5000"),
                "price_reason": "List price",
                "line_total": money("100.00"),
                "availability": IN_STOCK,
                "problems": [],
            },
        ],
        "total": money("300.00"),
        "problems": [],
        "can_order": True,
    }
    assert (added.status_code, added.json()) == (200, cart)
    assert buyer.get("/api/v1/cart").json() == cart

    # when the buyer places it (above the company's approval threshold)
    placed = send(
        buyer,
        "post",
        "/api/v1/orders",
        {
            "delivery_address": str(x.address.public_id),
            "po_number": "PO-77",
            "cost_centre": str(x.cost_centre.public_id),
            "requested_delivery_date": wanted.isoformat(),
            "note": "Gate 3",
        },
    )
    assert placed.status_code == 201, placed.json()
    body = placed.json()
    order_id = body["id"]
    assert (body["process_state"], body["buyer_status"], body["approval_reason"]) == (
        "awaiting_approval",
        "Waiting for your approver",
        "Orders above EUR 100.00 need approval in your company.",
    )
    assert [(t["title"], t["actor"]) for t in body["timeline"]] == [
        ("Awaiting approval", "Xylo GmbH buyer")
    ]
    assert buyer.get("/api/v1/cart").json() == {
        "lines": [],
        "total": money("0.00"),
        "problems": [
            {
                "layer": "integrity",
                "code": "cart_empty",
                "message": "Your cart is empty.",
                "severity": "error",
                "line": None,
                "field": None,
                "suggestion": "Add products first.",
                "fix": {},
            }
        ],
        "can_order": False,
    }

    # then the approver, the validator, the dispatcher and finance move it along
    approver = login(alpha.client(), "x-approver@buyer.test")
    validator = login(alpha.client(), "validator@alpha.test")
    dispatcher = login(alpha.client(), "dispatcher@alpha.test")
    finance = login(alpha.client(), "finance@alpha.test")
    path = f"/api/v1/orders/{order_id}"

    def states(response: Any) -> tuple[int, str, str, str, str]:
        data = response.json()
        return (
            response.status_code,
            data["process_state"],
            data["validation_state"],
            data["payment_state"],
            data["buyer_status"],
        )

    approved = send(approver, "post", f"{path}/approve", {"comment": "Go ahead"})
    assert states(approved) == (
        200,
        "received",
        "pending_check",
        "unpaid",
        "Received by the supplier",
    )
    assert states(send(validator, "post", f"{path}/validate")) == (
        200,
        "in_validation",
        "approved",
        "unpaid",
        "Being checked by the supplier",
    )
    assert states(send(validator, "post", f"{path}/confirm")) == (
        200,
        "confirmed",
        "approved",
        "unpaid",
        "Confirmed, being prepared",
    )
    with schema_context(alpha.schema):
        assert StockLevel.objects.get(product=bolt).reserved == 20

    first = send(
        dispatcher,
        "post",
        f"{path}/ship",
        {
            "carrier": str(carrier.public_id),
            "tracking_number": "JD 0001",
            "lines": [{"position": 1, "quantity": 20}],
        },
    )
    with schema_context(alpha.schema):
        shipment = Shipment.objects.get(public_id=first.json()["id"])
    assert (first.status_code, first.json()) == (
        201,
        {
            "id": str(shipment.public_id),
            "carrier": "DHL",
            "tracking_number": "JD 0001",
            "tracking_url": "https://dhl.example/t/JD%200001",
            "shipped_at": iso(shipment.shipped_at),
            "delivered_at": None,
            "lines": [{"position": 1, "sku": "BOLT", "quantity": 20}],
        },
    )
    assert buyer.get(path).json()["buyer_status"] == "Partly shipped"
    second = send(dispatcher, "post", f"{path}/ship", {"carrier": str(carrier.public_id)})
    assert (second.status_code, second.json()["lines"]) == (
        201,
        [{"position": 2, "sku": "NUT", "quantity": 40}],
    )
    assert states(send(dispatcher, "post", f"{path}/deliver")) == (
        200,
        "delivered",
        "approved",
        "unpaid",
        "Delivered",
    )
    # a JSON number arrives as an exact decimal; text may use a decimal comma
    paid = send(finance, "post", f"{path}/payments", '{"amount": 100.50, "reference": "T-1"}')
    assert (paid.status_code, paid.json()["amount_paid"]) == (200, money("100.50"))
    paid = send(finance, "post", f"{path}/payments", {"amount": "199,50", "reference": "T-2"})
    assert states(paid) == (200, "delivered", "approved", "paid", "Delivered")

    # and the buyer reads the whole order
    with schema_context(alpha.schema):
        order = Order.objects.get(public_id=order_id)
        events = list(OrderEvent.objects.filter(order=order).order_by("created_at", "id"))
        shipments = list(Shipment.objects.filter(order=order).order_by("shipped_at", "id"))
    at = [iso(event.created_at) for event in events]
    ships = [
        {
            "id": str(shipments[0].public_id),
            "carrier": "DHL",
            "tracking_number": "JD 0001",
            "tracking_url": "https://dhl.example/t/JD%200001",
            "shipped_at": iso(shipments[0].shipped_at),
            "delivered_at": iso(shipments[0].delivered_at),
            "lines": [{"position": 1, "sku": "BOLT", "quantity": 20}],
        },
        {
            "id": str(shipments[1].public_id),
            "carrier": "DHL",
            "tracking_number": "",
            "tracking_url": "",
            "shipped_at": iso(shipments[1].shipped_at),
            "delivered_at": iso(shipments[1].delivered_at),
            "lines": [{"position": 2, "sku": "NUT", "quantity": 40}],
        },
    ]
    reason = "Orders above EUR 100.00 need approval in your company."

    def moved(when: str | None, axis: str, title: str, actor: str, comment: str = "") -> dict:
        return {
            "at": when,
            "axis": axis,
            "title": title,
            "actor": actor,
            "comment": comment,
            "link": "",
        }

    assert buyer.get(path).json() == {
        "id": order_id,
        "number": order.number,
        "company": {"id": str(x.company.public_id), "name": "Xylo GmbH"},
        "placed_by": {"email": "x-buyer@buyer.test", "full_name": "Xylo GmbH buyer"},
        "process_state": "delivered",
        "validation_state": "approved",
        "payment_state": "paid",
        "buyer_status": "Delivered",
        "subtotal": money("300.00"),
        "total": money("300.00"),
        "amount_paid": money("300.00"),
        "amount_due": money("0.00"),
        "po_number": "PO-77",
        "cost_centre": "MAINT",
        "delivery_address": {
            "label": "Main site",
            "line1": "Industriestraße 5",
            "line2": "",
            "postcode": "20095",
            "city": "Hamburg",
            "country": "DE",
        },
        "billing_address": {
            "line1": "Hauptstraße 1",
            "line2": "",
            "postcode": "10115",
            "city": "Berlin",
            "country": "DE",
        },
        "requested_delivery_date": wanted.isoformat(),
        "note": "Gate 3",
        "payment_terms": "net",
        "net_days": 30,
        "approval_reason": reason,
        "decision_comment": "Go ahead",
        "rejection_reason": "",
        "created_at": iso(order.created_at),
        "submitted_at": iso(order.submitted_at),
        "lines": [
            {
                "position": 1,
                "product_id": str(bolt.public_id),
                "sku": "BOLT",
                "name": "Hex bolt M8",
                "unit": "pcs",
                "quantity": 20,
                "quantity_shipped": 20,
                "quantity_open": 0,
                "unit_price": money("10.0000"),
                "price_reason": "List price",
                "line_total": money("200.00"),
            },
            {
                "position": 2,
                "product_id": str(nut.public_id),
                "sku": "NUT",
                "name": "Lock nut M8",
                "unit": "pcs",
                "quantity": 40,
                "quantity_shipped": 40,
                "quantity_open": 0,
                "unit_price": money("2.5000"),
                "price_reason": "List price",
                "line_total": money("100.00"),
            },
        ],
        "shipments": ships,
        "timeline": [
            moved(at[0], "process", "Awaiting approval", "Xylo GmbH buyer", reason),
            moved(at[1], "process", "Received", "Xylo GmbH approver", "Go ahead"),
            moved(at[2], "process", "In validation", "validator"),
            moved(at[3], "validation", "Validation: approved", "validator"),
            moved(at[4], "process", "Confirmed", "validator"),
            moved(at[5], "process", "In dispatch", "dispatcher"),
            {
                "at": ships[0]["shipped_at"],
                "axis": "shipment",
                "title": "Shipped with DHL, tracking JD 0001",
                "actor": "",
                "comment": "",
                "link": "https://dhl.example/t/JD%200001",
            },
            {
                "at": ships[1]["shipped_at"],
                "axis": "shipment",
                "title": "Shipped with DHL",
                "actor": "",
                "comment": "",
                "link": "",
            },
            moved(at[6], "process", "Delivered", "dispatcher"),
            moved(
                at[7], "payment", "Payment: partially paid", "finance", "EUR 100.50 received (T-1)"
            ),
            moved(at[8], "payment", "Payment: paid", "finance", "EUR 199.50 received (T-2)"),
        ],
    }
    assert buyer.get(f"{path}/shipments").json() == {"results": ships}
    with schema_context(alpha.schema):
        bolt_stock = StockLevel.objects.get(product=bolt)
        assert (bolt_stock.on_hand, bolt_stock.reserved) == (80, 0)


def test_an_invalid_order_is_422_with_every_problem_and_changes_nothing(clock, alpha, x, products):
    with schema_context(alpha.schema):
        x.company.po_required = True
        x.company.save()
        today = portal_today()
    buyer = login(alpha.client(), "x-buyer@buyer.test")
    for product, quantity in ((products["NUT"], 12), (products["GLUE"], 3)):
        send(
            buyer,
            "post",
            "/api/v1/cart/lines",
            {"product": str(product.public_id), "quantity": quantity},
        )
    before = audit_count(alpha)

    requested, earliest = today + timedelta(days=2), today + timedelta(days=5)

    def day(value: Any) -> str:
        return f"{value.day} {value:%b %Y}"

    response = send(
        buyer, "post", "/api/v1/orders", {"requested_delivery_date": requested.isoformat()}
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "order_invalid",
        "message": "Choose a delivery address. (3 more problem(s))",
        "field": None,
        "problems": [
            {
                "layer": "integrity",
                "code": "address_missing",
                "message": "Choose a delivery address.",
                "severity": "error",
                "line": None,
                "field": "delivery_address",
                "suggestion": "Pick one of your company's addresses; a company admin can add one.",
                "fix": {},
            },
            {
                "layer": "integrity",
                "code": "po_required",
                "message": "Xylo GmbH requires a PO number on every order.",
                "severity": "error",
                "line": None,
                "field": "po_number",
                "suggestion": "Enter the purchase order number from your system.",
                "fix": {},
            },
            {
                "layer": "business",
                "code": "not_a_multiple",
                "message": "NUT is sold in multiples of 5; 12 is not one.",
                "severity": "error",
                "line": "NUT",
                "field": None,
                "suggestion": "Order 10 or 15.",
                "fix": {"set_quantity": 15},
            },
            {
                "layer": "business",
                "code": "ships_later",
                "message": "GLUE is not in stock; it ships in 5 days.",
                "severity": "warning",
                "line": "GLUE",
                "field": None,
                "suggestion": "Order anyway, or reduce the quantity to what is in stock.",
                "fix": {},
            },
            {
                "layer": "logistics",
                "code": "lead_time",
                "message": f"GLUE ships in 5 days: the earliest delivery is {day(earliest)}, "
                f"after the requested {day(requested)}.",
                "severity": "error",
                "line": "GLUE",
                "field": "requested_delivery_date",
                "suggestion": f"Choose {day(earliest)} or later, or order only what is in stock (0).",
                "fix": {},
            },
        ],
    }
    with schema_context(alpha.schema):
        assert Order.objects.count() == 0
        assert CartLine.objects.filter(cart__user=x.buyer).count() == 2
    assert audit_count(alpha) == before
    # the cart shows the line problems next to their lines (no checkout problems yet)
    cart = buyer.get("/api/v1/cart").json()
    assert [[p["code"] for p in line["problems"]] for line in cart["lines"]] == [
        ["not_a_multiple"],
        ["ships_later"],
    ]
    assert (cart["problems"], cart["can_order"]) == ([], False)


def test_bad_input_is_422_naming_the_field(alpha, x, products):
    buyer = login(alpha.client(), "x-buyer@buyer.test")
    bad_date = send(buyer, "post", "/api/v1/orders", {"requested_delivery_date": "tomorrow"})
    assert (bad_date.status_code, bad_date.json()["code"], bad_date.json()["field"]) == (
        422,
        "invalid",
        "requested_delivery_date",
    )
    half = send(
        buyer,
        "post",
        "/api/v1/cart/lines",
        {"product": str(products["BOLT"].public_id), "quantity": 2.5},
    )
    assert (half.status_code, half.json()) == (
        422,
        {
            "code": "quantity_not_whole",
            "message": "“2.5” is not a whole number: order whole units.",
            "field": None,
        },
    )
    unknown = send(
        buyer, "post", "/api/v1/cart/lines", {"product": str(x.company.public_id), "quantity": 1}
    )
    assert (unknown.status_code, unknown.json()["message"]) == (404, "There is no such product.")
    not_in_cart = send(
        buyer, "put", f"/api/v1/cart/lines/{products['BOLT'].public_id}", {"quantity": 3}
    )
    assert (not_in_cart.status_code, not_in_cart.json()["message"]) == (
        404,
        "That product is not in your cart.",
    )


def test_cart_lines_change_and_go(alpha, x, products):
    buyer = login(alpha.client(), "x-buyer@buyer.test")
    bolt, nut = products["BOLT"], products["NUT"]
    for product in (bolt, nut, bolt):
        send(
            buyer, "post", "/api/v1/cart/lines", {"product": str(product.public_id), "quantity": 10}
        )
    changed = send(buyer, "patch", f"/api/v1/cart/lines/{nut.public_id}", {"quantity": 15})
    assert [(line["product"]["sku"], line["quantity"]) for line in changed.json()["lines"]] == [
        ("BOLT", 20),
        ("NUT", 15),
    ]
    removed = send(buyer, "put", f"/api/v1/cart/lines/{nut.public_id}", {"quantity": 0})
    assert [line["product"]["sku"] for line in removed.json()["lines"]] == ["BOLT"]
    assert buyer.delete(f"/api/v1/cart/lines/{bolt.public_id}").status_code == 204
    send(buyer, "post", "/api/v1/cart/lines", {"product": str(nut.public_id), "quantity": 10})
    assert buyer.delete("/api/v1/cart").status_code == 204
    assert buyer.get("/api/v1/cart").json()["lines"] == []


# --- quick order ----------------------------------------------------------------------------


def test_quick_order_adds_the_good_lines_and_explains_the_bad(alpha, x, products):
    buyer = login(alpha.client(), "x-buyer@buyer.test")
    text = "BOLT 5\nNOPE 3\nNUT 2.5\n\nGLUE\nnut; 10"

    pasted = send(buyer, "post", "/api/v1/cart/quick-order", {"lines": text})

    assert (pasted.status_code, pasted.json()) == (
        200,
        {
            "added": [{"sku": "BOLT", "quantity": 5}, {"sku": "NUT", "quantity": 10}],
            "problems": [
                {"line": 2, "text": "NOPE 3", "message": "There is no product with SKU “NOPE”."},
                {
                    "line": 3,
                    "text": "NUT 2.5",
                    "message": "NUT: “2.5” is not a whole number: order whole units.",
                },
                {"line": 5, "text": "GLUE", "message": "GLUE: the quantity is missing."},
            ],
        },
    )
    listed = send(
        buyer,
        "post",
        "/api/v1/cart/quick-order",
        {"lines": [{"sku": "glue", "quantity": 3}, {"sku": "BOLT", "quantity": "x"}]},
    )
    assert (listed.status_code, listed.json()) == (
        200,
        {
            "added": [{"sku": "GLUE", "quantity": 3}],
            "problems": [
                {
                    "line": 2,
                    "text": "BOLT x",
                    "message": "BOLT: “x” is not a quantity: write e.g. 12.",
                }
            ],
        },
    )
    cart = buyer.get("/api/v1/cart").json()
    assert [(line["product"]["sku"], line["quantity"]) for line in cart["lines"]] == [
        ("BOLT", 5),
        ("NUT", 10),
        ("GLUE", 3),
    ]


def test_quick_order_with_nothing_usable_is_422(alpha, x, products):
    buyer = login(alpha.client(), "x-buyer@buyer.test")
    nothing = send(buyer, "post", "/api/v1/cart/quick-order", {"lines": "NOPE 1\nBOLT"})
    assert (nothing.status_code, nothing.json()) == (
        422,
        {
            "code": "nothing_added",
            "message": "No line could be added to the cart: see the problems.",
            "field": "lines",
            "problems": [
                {"line": 1, "text": "NOPE 1", "message": "There is no product with SKU “NOPE”."},
                {"line": 2, "text": "BOLT", "message": "BOLT: the quantity is missing."},
            ],
        },
    )
    empty = send(buyer, "post", "/api/v1/cart/quick-order", {"lines": " \n\n"})
    assert (empty.status_code, empty.json()) == (
        422,
        {
            "code": "no_lines",
            "message": "Send at least one line: a SKU and a quantity, e.g. “BOLT 20”.",
            "field": "lines",
            "problems": [],
        },
    )
    shapeless = send(buyer, "post", "/api/v1/cart/quick-order", {"lines": 12})
    assert (shapeless.status_code, shapeless.json()["field"]) == (422, "lines")
    assert buyer.get("/api/v1/cart").json()["lines"] == []


# --- lists ----------------------------------------------------------------------------------


def test_lists_are_created_filled_renamed_put_in_the_cart_and_deleted(alpha, x, products):
    buyer = login(alpha.client(), "x-buyer@buyer.test")
    bolt, nut = products["BOLT"], products["NUT"]

    made = send(buyer, "post", "/api/v1/lists", {"name": "  Weekly   restock "})
    assert made.status_code == 201
    list_id = made.json()["id"]
    path = f"/api/v1/lists/{list_id}"
    taken = send(buyer, "post", "/api/v1/lists", {"name": "Weekly restock"})
    assert (taken.status_code, taken.json()) == (
        422,
        {
            "code": "name_taken",
            "message": "Your company already has a list called “Weekly restock”.",
            "field": "name",
        },
    )
    send(buyer, "put", f"{path}/items/{bolt.public_id}", {"quantity": 20})
    send(buyer, "put", f"{path}/items/{nut.public_id}", {"quantity": 15})
    filled = send(buyer, "put", f"{path}/items/{bolt.public_id}", {"quantity": 0})
    renamed = send(buyer, "patch", path, {"name": "Monday"})

    with schema_context(alpha.schema):
        saved = RequisitionList.objects.get(public_id=list_id)
        line = saved.lines.get()
    detail = {
        "id": list_id,
        "name": "Monday",
        "created_by": {"email": "x-buyer@buyer.test", "full_name": "Xylo GmbH buyer"},
        "created_at": iso(saved.created_at),
        "updated_at": iso(saved.updated_at),
        "items": [{"product": product_ref(nut), "quantity": 15, "added_at": iso(line.added_at)}],
    }
    assert filled.json()["items"] == detail["items"]
    assert (renamed.status_code, renamed.json()) == (200, detail)
    viewer = login(alpha.client(), "x-viewer@buyer.test")
    assert viewer.get(path).json() == detail
    assert viewer.get("/api/v1/lists").json() == {
        "results": [
            {
                "id": list_id,
                "name": "Monday",
                "line_count": 1,
                "created_by": {"email": "x-buyer@buyer.test", "full_name": "Xylo GmbH buyer"},
                "updated_at": iso(saved.updated_at),
            }
        ]
    }

    into_cart = send(buyer, "post", f"{path}/add-to-cart")
    assert (into_cart.status_code, into_cart.json()) == (200, {"added": 1})
    cart = buyer.get("/api/v1/cart").json()
    assert [(line["product"]["sku"], line["quantity"]) for line in cart["lines"]] == [("NUT", 15)]

    assert buyer.delete(path).status_code == 204
    assert buyer.get(path).status_code == 404
    assert buyer.get("/api/v1/lists").json() == {"results": []}


# --- the orders list and its filters --------------------------------------------------------


@pytest.fixture
def three_orders(clock, alpha, x, y, products) -> dict[str, Any]:
    """X: A (10.00, PO-A, cost centre MAINT, buyer), B (50.00 of NUT, PO-B, admin), C (300.00,
    XYZ-9, buyer); Y: one order of 20.00."""
    bolt, nut = products["BOLT"], products["NUT"]
    with schema_context(alpha.schema):
        a = place(x, x.buyer, {bolt: 1}, po_number="PO-A", cost_centre=str(x.cost_centre.public_id))
        b = place(x, x.admin, {nut: 20}, po_number="PO-B")
        c = place(x, x.buyer, {bolt: 30}, po_number="XYZ-9")
        theirs = place(y, y.buyer, {bolt: 2})
        today = portal_today()
    return {"a": a, "b": b, "c": c, "y": theirs, "today": today}


def _numbers(client: Client, **params: Any) -> list[str]:
    response = client.get("/api/v1/orders", params)
    assert response.status_code == 200, response.json()
    return [row["number"] for row in response.json()["results"]]


def test_the_orders_list_narrows_with_each_filter(clock, alpha, x, y, three_orders, staff):
    a, b, c, theirs = (three_orders[k].number for k in ("a", "b", "c", "y"))
    today = three_orders["today"]
    buyer = login(alpha.client(), "x-viewer@buyer.test")

    assert _numbers(buyer) == [c, b, a]
    assert _numbers(buyer, search="po-") == [b, a]
    assert _numbers(buyer, search=a) == [a]
    assert _numbers(buyer, amount_min="40") == [c, b]
    assert _numbers(buyer, amount_max="50.00") == [b, a]
    assert _numbers(buyer, amount_min="40", amount_max="100") == [b]
    assert _numbers(buyer, product="nut") == [b]
    assert _numbers(buyer, status="received") == [c, b, a]
    assert _numbers(buyer, status="delivered") == []
    assert _numbers(buyer, po_number="po-b") == [b]
    assert _numbers(buyer, buyer="X-ADMIN@buyer.test") == [b]
    assert _numbers(buyer, cost_centre="maint") == [a]
    assert _numbers(buyer, date_from=today.isoformat(), date_to=today.isoformat()) == [c, b, a]
    assert _numbers(buyer, date_from=(today + timedelta(days=1)).isoformat()) == []
    assert _numbers(buyer, date_to=(today - timedelta(days=1)).isoformat()) == []
    # a buyer never reaches another company's orders, whatever the filter says
    assert _numbers(buyer, company=str(y.company.public_id)) == []

    admin = login(alpha.client(), "admin@alpha.test")
    assert _numbers(admin) == [theirs, c, b, a]
    assert _numbers(admin, company=str(y.company.public_id)) == [theirs]
    page = admin.get("/api/v1/orders", {"search": "po-"}).json()
    assert (page["count"], page["page"], page["pages"], page["next"], page["previous"]) == (
        2,
        1,
        1,
        None,
        None,
    )
    row = next(r for r in page["results"] if r["number"] == a)
    assert row == {
        "id": str(three_orders["a"].public_id),
        "number": a,
        "company": {"id": str(x.company.public_id), "name": "Xylo GmbH"},
        "placed_by": {"email": "x-buyer@buyer.test", "full_name": "Xylo GmbH buyer"},
        "created_at": iso(three_orders["a"].created_at),
        "process_state": "received",
        "validation_state": "pending_check",
        "payment_state": "unpaid",
        "buyer_status": "Received by the supplier",
        "total": money("10.00"),
        "po_number": "PO-A",
        "cost_centre": "MAINT",
    }


def test_the_orders_list_refuses_bad_filters_and_missing_pages(alpha, x, three_orders):
    buyer = login(alpha.client(), "x-buyer@buyer.test")
    bad = buyer.get("/api/v1/orders", {"status": "lost"})
    assert (bad.status_code, bad.json()["code"], bad.json()["field"]) == (422, "invalid", "status")
    assert buyer.get("/api/v1/orders", {"amount_min": "lots"}).status_code == 422
    assert buyer.get("/api/v1/orders", {"company": "not-an-id"}).status_code == 422
    missing = buyer.get("/api/v1/orders", {"page": 2})
    assert (missing.status_code, missing.json()["message"]) == (
        404,
        "There is no page 2: the last page is 1.",
    )


def test_the_orders_list_costs_the_same_queries_for_1_or_20_orders(
    alpha, x, products, staff, carrier
):
    buyer = login(alpha.client(), "x-buyer@buyer.test")

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = buyer.get("/api/v1/orders")
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    with schema_context(alpha.schema):
        place(x, x.buyer, {products["BOLT"]: 1})
    one = queries()
    with schema_context(alpha.schema):
        for _ in range(19):
            order = place(x, x.buyer, {products["BOLT"]: 1, products["NUT"]: 10})
        # one of them partly shipped, so the "partly shipped" status is worked out too
        from commerce.ordering.services import order_confirm, order_validate, shipment_create

        order_validate(actor=staff["validator"], order=order)
        order_confirm(actor=staff["validator"], order=order)
        shipment_create(
            actor=staff["dispatcher"], order=order, carrier_id=carrier.public_id, quantities={1: 1}
        )
    twenty = queries()
    assert one == (5, 1)
    assert twenty == (5, 20)
    statuses = {row["buyer_status"] for row in buyer.get("/api/v1/orders").json()["results"]}
    assert statuses == {"Received by the supplier", "Partly shipped"}


def test_placing_answers_the_order_as_its_page_reads_it_in_the_same_queries_for_1_or_2_lines(
    alpha, x, products
):
    buyer = login(alpha.client(), "x-buyer@buyer.test")
    checkout = {"delivery_address": str(x.address.public_id), "po_number": "PO-9"}

    def place_through_api(lines: dict[Any, int]) -> tuple[int, dict[str, Any]]:
        for product, quantity in lines.items():
            send(
                buyer,
                "post",
                "/api/v1/cart/lines",
                {"product": str(product.public_id), "quantity": quantity},
            )
        with CaptureQueriesContext(connection) as ctx:
            placed = send(buyer, "post", "/api/v1/orders", checkout)
        assert placed.status_code == 201, placed.json()
        return len(ctx.captured_queries), placed.json()

    one_line, first = place_through_api({products["BOLT"]: 1})
    two_lines, second = place_through_api({products["BOLT"]: 2, products["NUT"]: 10})

    # the 201 body is the order exactly as GET /orders/{id} reads it afterwards
    assert second == buyer.get(f"/api/v1/orders/{second['id']}").json()
    assert [line["sku"] for line in second["lines"]] == ["BOLT", "NUT"]
    assert (first["shipments"], second["shipments"]) == ([], [])
    # the lines are written in one statement and not read back, nor are shipments (none yet):
    # the user and settings (no snapshot is cached inside a test's transaction), reads (company,
    # cart, address, lines, contracts, price lists, stock, open value), writes (order, lines,
    # emptied cart, number, state, event, audit: 3, notification, e-mail), the savepoint's 2
    # statements and the timeline
    assert (one_line, two_lines) == (24, 24)


# --- reorder --------------------------------------------------------------------------------


def test_reorder_puts_all_or_chosen_lines_in_the_cart(alpha, x, products):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 20, products["NUT"]: 40})
        products["NUT"].list_price = Decimal("3.00")
        products["NUT"].save()
    buyer = login(alpha.client(), "x-buyer@buyer.test")
    path = f"/api/v1/orders/{order.public_id}/reorder"

    chosen = send(buyer, "post", path, {"lines": [2]})
    assert (chosen.status_code, chosen.json()) == (
        200,
        {
            "added": 1,
            "notes": [
                {
                    "sku": "NUT",
                    "message": "NUT: the price went up from EUR 2.50 to EUR 3.00 per pcs.",
                }
            ],
        },
    )
    everything = send(buyer, "post", path)
    assert everything.json()["added"] == 2
    cart = buyer.get("/api/v1/cart").json()
    assert [(line["product"]["sku"], line["quantity"]) for line in cart["lines"]] == [
        ("NUT", 80),
        ("BOLT", 20),
    ]
    unknown = send(buyer, "post", path, {"lines": [7]})
    assert (unknown.status_code, unknown.json()) == (
        422,
        {
            "code": "unknown_line",
            "message": f"Order {order.number} has no line 7.",
            "field": "lines",
        },
    )


# --- refusals: state, role, company, tenant, anonymous, keys --------------------------------


def test_refused_moves_are_422_with_the_services_code(alpha, x, products, staff, carrier):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 20})
    path = f"/api/v1/orders/{order.public_id}"
    validator = login(alpha.client(), "validator@alpha.test")
    dispatcher = login(alpha.client(), "dispatcher@alpha.test")
    before = audit_count(alpha)

    early = send(validator, "post", f"{path}/confirm")
    assert (early.status_code, early.json()) == (
        422,
        {
            "code": "transition_refused",
            "message": f"Order {order.number} is received; it cannot become confirmed.",
            "field": None,
        },
    )
    unshippable = send(dispatcher, "post", f"{path}/ship", {"carrier": str(carrier.public_id)})
    assert (unshippable.status_code, unshippable.json()["code"]) == (422, "not_shippable")
    no_reason = send(validator, "post", f"{path}/reject", {"reason": " "})
    assert (no_reason.status_code, no_reason.json()) == (
        422,
        {
            "code": "reason_required",
            "message": "Say why the order is rejected: the buyer sees it.",
            "field": "reason",
        },
    )
    assert audit_count(alpha) == before

    send(validator, "post", f"{path}/validate")
    send(validator, "post", f"{path}/confirm")
    over = send(
        dispatcher,
        "post",
        f"{path}/ship",
        {"carrier": str(carrier.public_id), "lines": [{"position": 1, "quantity": 21}]},
    )
    assert (over.status_code, over.json()["message"]) == (
        422,
        "Line 1 (BOLT): 20 left to ship, not 21.",
    )
    twice = send(
        dispatcher,
        "post",
        f"{path}/ship",
        {
            "carrier": str(carrier.public_id),
            "lines": [{"position": 1, "quantity": 1}, {"position": 1, "quantity": 2}],
        },
    )
    assert (twice.status_code, twice.json()["message"], twice.json()["field"]) == (
        422,
        "Line 1 is listed twice.",
        "lines",
    )
    finance = login(alpha.client(), "finance@alpha.test")
    for amount in ("NaN", "Infinity", "lots", True):
        refused = send(finance, "post", f"{path}/payments", {"amount": amount})
        assert (refused.status_code, refused.json()["field"]) == (422, "amount"), amount
    too_much = send(finance, "post", f"{path}/payments", {"amount": "200.01"})
    assert (too_much.status_code, too_much.json()["code"]) == (422, "amount_out_of_range")
    with schema_context(alpha.schema):
        order.refresh_from_db()
        assert (order.process_state, order.amount_paid) == ("confirmed", Decimal("0.00"))


@pytest.fixture
def x_order_and_list(alpha, x, products) -> dict[str, Any]:
    """An order of X awaiting approval (above a threshold of 100) and a list of X."""
    with schema_context(alpha.schema):
        x.company.approval_threshold = Decimal("100")
        x.company.save()
        order = place(x, x.buyer, {products["BOLT"]: 20})
        saved = list_create(actor=x.buyer, name="Weekly")
        list_set_item(
            actor=x.buyer, requisition_list=saved, product_id=products["NUT"].public_id, quantity=10
        )
    return {"order": order, "list": saved}


def _calls(order: Any, saved: Any, product: Any, carrier: Any) -> list[tuple[str, str, Any]]:
    o, lst = f"/api/v1/orders/{order.public_id}", f"/api/v1/lists/{saved.public_id}"
    return [
        ("get", o, None),
        ("get", f"{o}/shipments", None),
        ("post", f"{o}/reorder", {}),
        ("post", f"{o}/approve", {"comment": "ok"}),
        ("post", f"{o}/reject-approval", {"comment": "no"}),
        ("post", f"{o}/cancel", {"reason": "no"}),
        ("post", f"{o}/validate", {}),
        ("post", f"{o}/reject", {"reason": "no"}),
        ("post", f"{o}/confirm", {}),
        ("post", f"{o}/ship", {"carrier": str(carrier.public_id)}),
        ("post", f"{o}/deliver", {}),
        ("post", f"{o}/payments", {"amount": "1.00"}),
        ("get", lst, None),
        ("patch", lst, {"name": "Mine now"}),
        ("delete", lst, None),
        ("put", f"{lst}/items/{product.public_id}", {"quantity": 5}),
        ("post", f"{lst}/add-to-cart", {}),
    ]


def _state(alpha: Any, order: Any, saved: Any) -> tuple[Any, ...]:
    with schema_context(alpha.schema):
        fresh = Order.objects.get(pk=order.pk)
        lst = RequisitionList.objects.filter(pk=saved.pk).first()
        return (
            fresh.process_state,
            fresh.validation_state,
            fresh.payment_state,
            fresh.amount_paid,
            lst.name if lst else None,
            sorted(lst.lines.values_list("product__sku", "quantity")) if lst else None,
            AuditEntry.objects.count(),
            CartLine.objects.count(),
        )


def _call(client: Client, method: str, path: str, data: Any) -> Any:
    if method == "get":
        return client.get(path)
    return send(client, method, path, data)


def test_another_company_gets_404_for_every_endpoint_and_changes_nothing(
    alpha, x, y, products, carrier, x_order_and_list
):
    order, saved = x_order_and_list["order"], x_order_and_list["list"]
    other = login(alpha.client(), "y-admin@buyer.test")  # a company admin: may do most things
    before = _state(alpha, order, saved)
    for method, path, data in _calls(order, saved, products["BOLT"], carrier):
        response = _call(other, method, path, data)
        assert response.status_code == 404, (method, path, response.json())
        assert response.json()["code"] == "not_found", path
    assert _state(alpha, order, saved) == before
    assert other.get("/api/v1/orders").json()["count"] == 0
    assert other.get("/api/v1/lists").json() == {"results": []}


def test_another_tenant_gets_404_for_every_endpoint(
    alpha, beta, x, products, carrier, x_order_and_list
):
    order, saved = x_order_and_list["order"], x_order_and_list["list"]
    with schema_context(beta.schema):
        MembershipFactory(user=UserFactory(email="bb@buyer.test"), role="company_admin")
    before = _state(alpha, order, saved)
    for email in ("bb@buyer.test", "admin@beta.test"):
        client = login(beta.client(), email)
        for method, path, data in _calls(order, saved, products["BOLT"], carrier):
            response = _call(client, method, path, data)
            assert response.status_code == 404, (email, method, path)
    assert _state(alpha, order, saved) == before


def test_a_viewer_reads_but_every_write_is_403_and_changes_nothing(
    alpha, x, products, carrier, x_order_and_list
):
    order, saved = x_order_and_list["order"], x_order_and_list["list"]
    viewer = login(alpha.client(), "x-viewer@buyer.test")
    bolt = products["BOLT"]
    before = _state(alpha, order, saved)
    for method, path, data in _calls(order, saved, bolt, carrier):
        response = _call(viewer, method, path, data)
        expected = 200 if method == "get" else 403
        assert response.status_code == expected, (method, path, response.json())
    writes = [
        ("post", "/api/v1/cart/lines", {"product": str(bolt.public_id), "quantity": 1}),
        ("put", f"/api/v1/cart/lines/{bolt.public_id}", {"quantity": 1}),
        ("delete", f"/api/v1/cart/lines/{bolt.public_id}", None),
        ("delete", "/api/v1/cart", None),
        ("post", "/api/v1/cart/quick-order", {"lines": "BOLT 1"}),
        ("post", "/api/v1/cart/quick-order", {"lines": ""}),
        ("post", "/api/v1/lists", {"name": "Viewer's"}),
        ("post", "/api/v1/orders", {"delivery_address": str(x.address.public_id)}),
    ]
    for method, path, data in writes:
        response = _call(viewer, method, path, data)
        assert response.status_code == 403, (method, path)
        assert response.json() == {
            "code": "permission_denied",
            "message": "Your role (viewer) lets you look at the catalogue and orders, but not order: ask your company admin.",
            "field": None,
        }
    assert _state(alpha, order, saved) == before
    assert viewer.get("/api/v1/cart").status_code == 200


ROLE_REFUSALS = [
    (
        "validator",
        "ship",
        "Only administrators and dispatchers can ship orders or mark them delivered.",
    ),
    (
        "validator",
        "deliver",
        "Only administrators and dispatchers can ship orders or mark them delivered.",
    ),
    ("validator", "payments", "Only administrators and finance staff can record payments."),
    (
        "dispatcher",
        "validate",
        "Only administrators and validators can validate, reject or confirm orders.",
    ),
    (
        "dispatcher",
        "reject",
        "Only administrators and validators can validate, reject or confirm orders.",
    ),
    (
        "dispatcher",
        "confirm",
        "Only administrators and validators can validate, reject or confirm orders.",
    ),
    ("dispatcher", "cancel", "Only administrators and validators cancel orders."),
    (
        "finance",
        "validate",
        "Only administrators and validators can validate, reject or confirm orders.",
    ),
    (
        "finance",
        "ship",
        "Only administrators and dispatchers can ship orders or mark them delivered.",
    ),
    (
        "account_manager",
        "confirm",
        "Only administrators and validators can validate, reject or confirm orders.",
    ),
    ("account_manager", "payments", "Only administrators and finance staff can record payments."),
    (
        "x-buyer",
        "validate",
        "Only administrators and validators can validate, reject or confirm orders.",
    ),
    ("x-buyer", "approve", "Only your company's approvers and admins decide orders."),
    ("x-buyer", "reject-approval", "Only your company's approvers and admins decide orders."),
]


@pytest.mark.parametrize(("who", "action", "message"), ROLE_REFUSALS)
def test_the_wrong_role_gets_403_and_nothing_changes(
    alpha, x, products, staff, carrier, x_order_and_list, who, action, message
):
    order, saved = x_order_and_list["order"], x_order_and_list["list"]
    email = f"{who}@buyer.test" if who.startswith("x-") else f"{who}@alpha.test"
    client = login(alpha.client(), email)
    data = {
        "ship": {"carrier": str(carrier.public_id)},
        "payments": {"amount": "1.00"},
        "reject": {"reason": "no"},
        "cancel": {"reason": "no"},
        "reject-approval": {"comment": "no"},
    }.get(action, {})
    before = _state(alpha, order, saved)
    response = send(client, "post", f"/api/v1/orders/{order.public_id}/{action}", data)
    assert (response.status_code, response.json()) == (
        403,
        {"code": "permission_denied", "message": message, "field": None},
    )
    assert _state(alpha, order, saved) == before


def test_anonymous_callers_get_401_everywhere(alpha, x, products, carrier, x_order_and_list):
    order, saved = x_order_and_list["order"], x_order_and_list["list"]
    bolt = products["BOLT"]
    anonymous = alpha.client()
    calls = [
        *_calls(order, saved, bolt, carrier),
        ("get", "/api/v1/cart", None),
        ("delete", "/api/v1/cart", None),
        ("post", "/api/v1/cart/lines", {}),
        ("put", f"/api/v1/cart/lines/{bolt.public_id}", {}),
        ("delete", f"/api/v1/cart/lines/{bolt.public_id}", None),
        ("post", "/api/v1/cart/quick-order", {}),
        ("get", "/api/v1/lists", None),
        ("post", "/api/v1/lists", {}),
        ("get", "/api/v1/orders", None),
        ("post", "/api/v1/orders", {}),
    ]
    before = _state(alpha, order, saved)
    for method, path, data in calls:
        response = _call(anonymous, method, path, data)
        assert response.status_code == 401, (method, path)
        assert response.json()["code"] == "not_authenticated"
    assert _state(alpha, order, saved) == before


def test_buyer_endpoints_are_404_for_staff_without_a_company(alpha, x, products, x_order_and_list):
    admin = login(alpha.client(), "admin@alpha.test")
    saved = x_order_and_list["list"]
    for method, path, data in [
        ("get", "/api/v1/cart", None),
        ("post", "/api/v1/cart/lines", {"product": str(products["BOLT"].public_id), "quantity": 1}),
        ("get", "/api/v1/lists", None),
        ("get", f"/api/v1/lists/{saved.public_id}", None),
        ("post", "/api/v1/orders", {"delivery_address": str(x.address.public_id)}),
    ]:
        assert _call(admin, method, path, data).status_code == 404, path


def test_api_keys_act_as_their_creator_within_their_scopes(alpha, x, y, three_orders):
    with schema_context(alpha.schema):
        _, read = api_key_create(actor=alpha.admin, name="Reader", scopes=["read"])
        _, write = api_key_create(actor=alpha.admin, name="Writer", scopes=["write"])
        _, integration = api_key_create(actor=alpha.admin, name="ERP", scopes=["integration"])
    order = three_orders["b"]
    path = f"/api/v1/orders/{order.public_id}"

    def keyed(raw: str) -> Client:
        return Client(HTTP_HOST=alpha.host, HTTP_AUTHORIZATION=f"Api-Key {raw}")

    reader, writer = keyed(read), keyed(write)
    assert reader.get("/api/v1/orders").json()["count"] == 4  # an administrator sees every order
    assert reader.get(path).json()["number"] == order.number
    lacks = send(reader, "post", f"{path}/validate")
    assert (lacks.status_code, lacks.json()["message"]) == (
        403,
        "This API key lacks the scope this endpoint needs.",
    )
    assert reader.get("/api/v1/cart").status_code == 404  # the creator has no company
    assert writer.get(path).status_code == 403
    validated = send(writer, "post", f"{path}/validate")
    assert (validated.status_code, validated.json()["validation_state"]) == (200, "approved")
    assert keyed(integration).get("/api/v1/orders").status_code == 403


def test_a_buyer_cancels_their_own_order_and_an_approver_rejects_another(
    alpha, x, products, x_order_and_list
):
    order = x_order_and_list["order"]
    with schema_context(alpha.schema):
        second = place(x, x.buyer, {products["BOLT"]: 30})
    buyer = login(alpha.client(), "x-buyer@buyer.test")
    cancelled = send(buyer, "post", f"/api/v1/orders/{order.public_id}/cancel", {"reason": "Dup"})
    assert (cancelled.status_code, cancelled.json()["process_state"]) == (200, "cancelled")
    approver = login(alpha.client(), "x-approver@buyer.test")
    empty = send(approver, "post", f"/api/v1/orders/{second.public_id}/reject-approval", {})
    assert (empty.status_code, empty.json()["code"]) == (422, "comment_required")
    rejected = send(
        approver,
        "post",
        f"/api/v1/orders/{second.public_id}/reject-approval",
        {"comment": "Too much"},
    )
    body = rejected.json()
    assert (body["process_state"], body["buyer_status"], body["decision_comment"]) == (
        "cancelled",
        "Rejected by your approver",
        "Too much",
    )
    again = send(approver, "post", f"/api/v1/orders/{second.public_id}/approve")
    assert (again.status_code, again.json()["message"]) == (
        422,
        f"Order {second.number} was already rejected or cancelled.",
    )


# --- OpenAPI --------------------------------------------------------------------------------


def test_the_schema_documents_every_ordering_operation(alpha):
    schema = (
        alpha.client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    )
    operations = {
        op["operationId"]: op
        for path, item in schema["paths"].items()
        if path.startswith(("/api/v1/cart", "/api/v1/lists", "/api/v1/orders"))
        for op in item.values()
    }
    assert len(operations) == 28
    assert all(op.get("summary") for op in operations.values())
    created = operations["orders_create"]["responses"]
    assert created["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/OrderInvalidOutput"
    }
    problem = schema["components"]["schemas"]["OrderProblemOutput"]["properties"]
    assert sorted(problem) == sorted(
        ["layer", "code", "message", "severity", "line", "field", "suggestion", "fix"]
    )
