"""The supplier's back office for orders: the queue (tabs, filters, CSV, query count), the order
page and each action by the right role (and refused, with nothing changed, for the wrong one),
carriers, the nav badge, and the customers' ordering rules (threshold, PO, own order limit)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.catalog.models import StockLevel
from commerce.customers.models import Company, Membership
from commerce.integration import integration_upsert_companies
from commerce.ordering.models import Carrier, Order, OrderLine, Shipment
from commerce.ordering.selectors import buyer_status
from commerce.ordering.services import order_confirm, order_validate
from commerce.ordering.tests.conftest import login, place
from conftest import TEST_PASSWORD
from sso.models import User
from tests.factories import StockLevelFactory

QUEUE = "/backoffice/orders/"


def url(order: Any, action: str = "") -> str:
    return f"/backoffice/orders/{order.public_id}/" + (f"{action}/" if action else "")


@pytest.fixture
def clients(alpha, staff) -> dict[str, Client]:
    """A signed-in client per staff role."""
    return {
        role: login(alpha.client(), user.email)
        for role, user in staff.items()
        if role != "administrator"
    } | {"administrator": login(alpha.client(), "admin@alpha.test")}


@pytest.fixture
def order(alpha, x, products) -> Any:
    """20 × BOLT (10.00) and 20 × NUT (2.50) for Xylo, received by the supplier."""
    with schema_context(alpha.schema):
        return place(
            x,
            x.buyer,
            {products["BOLT"]: 20, products["NUT"]: 20},
            po_number="PO-1",
            cost_centre=str(x.cost_centre.public_id),
        )


def state(alpha, order: Any) -> tuple[str, str, str, Decimal, int]:
    """The order's three axes, what was paid, and how many audit entries it has."""
    with schema_context(alpha.schema):
        fresh = Order.objects.get(pk=order.pk)
        audits = AuditEntry.objects.filter(object_id=str(order.public_id)).count()
        return (
            fresh.process_state,
            fresh.validation_state,
            fresh.payment_state,
            fresh.amount_paid,
            audits,
        )


def advance(alpha, order: Any, staff: dict[str, Any], to: str) -> None:
    """Move ``order`` through the services to ``to`` (validated, confirmed)."""
    with schema_context(alpha.schema):
        order_validate(actor=staff["validator"], order=order)
        if to == "confirmed":
            order_confirm(actor=staff["validator"], order=order)


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["administrator", "account_manager", "validator", "dispatcher", "finance"]
)
def test_every_staff_role_sees_the_queue_the_order_and_the_carriers(
    alpha, clients, order, carrier, role
):
    client = clients[role]
    queue = client.get(QUEUE)
    assert queue.status_code == 200
    assert [o.number for o in queue.context["page"]] == [order.number]
    page = client.get(url(order))
    assert page.status_code == 200
    body = page.content.decode()
    for text in ("Xylo GmbH", "Hex bolt M8", "PO-1", "MAINT", "Main site", "EUR 250.00"):
        assert text in body
    carriers = client.get("/backoffice/orders/carriers/")
    assert carriers.status_code == 200
    assert [c.name for c in carriers.context["carriers"]] == ["DHL"]


def test_the_order_page_shows_only_what_the_role_may_do_now(alpha, clients, order):
    def shown(role: str) -> dict[str, bool]:
        actions = clients[role].get(url(order)).context["actions"]
        names = ("validate", "reject", "confirm", "ship", "deliver", "cancel", "payment")
        return {name: getattr(actions, name) for name in names if getattr(actions, name)}

    both = {"validate": True, "reject": True, "cancel": True}
    assert shown("validator") == both
    assert shown("administrator") == {**both, "payment": True}
    assert shown("dispatcher") == {}
    assert shown("finance") == {"payment": True}
    assert shown("account_manager") == {}
    assert "Nothing for you to do on this order now." in (
        clients["account_manager"].get(url(order)).content.decode()
    )


def test_buyers_and_anonymous_visitors_never_reach_the_order_pages(alpha, x, order):
    buyer = login(alpha.client(), "x-admin@buyer.test")
    # Like every back-office page: signed-in buyers get 403, anonymous visitors the sign-in.
    for path in (
        QUEUE,
        url(order),
        "/backoffice/orders/export.csv",
        "/backoffice/orders/carriers/",
    ):
        assert buyer.get(path).status_code == 403
    before = state(alpha, order)
    assert buyer.post(url(order, "validate")).status_code == 403
    assert state(alpha, order) == before
    anonymous = alpha.client().get(url(order))
    assert (anonymous.status_code, anonymous["Location"]) == (
        302,
        f"/login/?next={url(order)}",
    )


def test_another_portals_order_is_not_found(alpha, beta, order):
    other = login(beta.client(), "admin@beta.test")
    assert other.get(url(order)).status_code == 404
    before = state(alpha, order)
    assert other.post(url(order, "validate")).status_code == 404
    assert state(alpha, order) == before
    assert other.get("/backoffice/orders/00000000-0000-0000-0000-000000000000/").status_code == 404


# --- actions ----------------------------------------------------------------------------------


def test_a_validator_validates_then_confirms_and_the_stock_is_reserved(
    alpha, clients, order, products
):
    validator = clients["validator"]
    response = validator.post(url(order, "validate"))
    assert (response.status_code, response["Location"]) == (302, url(order))
    assert state(alpha, order)[:2] == ("in_validation", "approved")
    page = validator.get(url(order))
    assert messages_of(page) == [
        f"Order {order.number} is validated. Confirm it to reserve the stock."
    ]
    assert page.context["actions"].confirm

    assert validator.post(url(order, "confirm")).status_code == 302
    assert state(alpha, order)[0] == "confirmed"
    page = validator.get(url(order))
    assert messages_of(page) == [f"Order {order.number} is confirmed and its stock reserved."]
    reservations = [
        (r.line.sku, r.stock.warehouse.code, r.quantity) for r in page.context["page"].reservations
    ]
    assert reservations == [("BOLT", "MAIN", 20), ("NUT", "MAIN", 20)]
    titles = [e.title for e in page.context["page"].timeline]
    assert titles == ["Received", "In validation", "Validation: approved", "Confirmed"]


def test_confirming_without_enough_stock_names_the_short_lines_and_reserves_nothing(
    alpha, x, products, staff, clients
):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 10, products["GLUE"]: 5})
    advance(alpha, order, staff, "validated")
    before = state(alpha, order)
    response = clients["validator"].post(url(order, "confirm"))
    assert response.status_code == 400
    assert messages_of(response) == [
        "Not enough free stock to confirm: GLUE needs 5, 0 free. Nothing was reserved."
    ]
    assert "GLUE needs 5, 0 free" in response.content.decode()
    assert state(alpha, order) == before
    with schema_context(alpha.schema):
        assert StockLevel.objects.get(product=products["BOLT"]).reserved == 0


def test_rejecting_needs_a_reason_which_is_kept_for_the_buyer(alpha, clients, order):
    validator = clients["validator"]
    before = state(alpha, order)
    empty = validator.post(url(order, "reject"), {"reason": "  "})
    assert empty.status_code == 400
    assert empty.context["reject_form"].errors == {
        "reason": ["Say why the order is rejected: the buyer sees it."]
    }
    assert state(alpha, order) == before

    done = validator.post(url(order, "reject"), {"reason": "We no longer sell NUT in 20s."})
    assert done.status_code == 302
    assert state(alpha, order)[:2] == ("cancelled", "rejected")
    with schema_context(alpha.schema):
        rejected = Order.objects.get(pk=order.pk)
        assert rejected.rejection_reason == "We no longer sell NUT in 20s."
        assert buyer_status(rejected) == "Rejected by the supplier"
    page = validator.get(url(order))
    assert "Rejected: We no longer sell NUT in 20s." in page.content.decode()
    assert not page.context["actions"].any


def test_cancelling_needs_a_reason_and_frees_the_reserved_stock(
    alpha, clients, order, staff, products
):
    advance(alpha, order, staff, "confirmed")
    validator = clients["validator"]
    empty = validator.post(url(order, "cancel"), {"cancel_reason": ""})
    assert empty.status_code == 400
    assert empty.context["cancel_form"].errors == {
        "cancel_reason": ["Say why the order is cancelled."]
    }
    assert (
        validator.post(url(order, "cancel"), {"cancel_reason": "Customer called"}).status_code
        == 302
    )
    assert state(alpha, order)[0] == "cancelled"
    with schema_context(alpha.schema):
        assert StockLevel.objects.get(product=products["BOLT"]).reserved == 0
        comment = order.events.order_by("-id").values_list("comment", flat=True).first()
    assert comment == "Customer called"


def test_a_partial_shipment_then_the_rest_then_delivered(
    alpha, clients, order, staff, carrier, products
):
    advance(alpha, order, staff, "confirmed")
    dispatcher = clients["dispatcher"]
    form = dispatcher.get(url(order)).context["ship_form"]
    assert [(f.name, f.initial) for f in form.line_fields()] == [("line_1", 20), ("line_2", 20)]

    first = dispatcher.post(
        url(order, "ship"),
        {
            "carrier": str(carrier.public_id),
            "tracking_number": "JD 1",
            "line_1": "5",
            "line_2": "0",
        },
    )
    assert first.status_code == 302
    page = dispatcher.get(url(order))
    lines = [
        (line.sku, line.quantity_shipped, line.quantity_open) for line in page.context["page"].lines
    ]
    assert lines == [("BOLT", 5, 15), ("NUT", 0, 20)]
    assert state(alpha, order)[0] == "in_dispatch"
    assert page.context["page"].status == "Partly shipped"
    assert 'href="https://dhl.example/t/JD%201"' in page.content.decode()
    assert [(f.name, f.initial) for f in page.context["ship_form"].line_fields()] == [
        ("line_1", 15),
        ("line_2", 20),
    ]
    assert not page.context["actions"].deliver

    too_many = dispatcher.post(
        url(order, "ship"), {"carrier": str(carrier.public_id), "line_1": "16", "line_2": "0"}
    )
    assert too_many.status_code == 400
    assert messages_of(too_many) == ["Line 1 (BOLT): 15 left to ship, not 16."]
    no_carrier = dispatcher.post(url(order, "ship"), {"line_1": "15", "line_2": "20"})
    assert no_carrier.context["ship_form"].errors == {"carrier": ["Choose a carrier."]}

    rest = dispatcher.post(
        url(order, "ship"), {"carrier": str(carrier.public_id), "line_1": "15", "line_2": "20"}
    )
    assert rest.status_code == 302
    assert dispatcher.post(url(order, "deliver")).status_code == 302
    assert state(alpha, order)[0] == "delivered"
    with schema_context(alpha.schema):
        shipped = [
            sorted((sl.line.sku, sl.quantity) for sl in s.lines.all())
            for s in Shipment.objects.filter(order=order).order_by("id")
        ]
        bolt = StockLevel.objects.get(product=products["BOLT"])
    assert shipped == [[("BOLT", 5)], [("BOLT", 15), ("NUT", 20)]]
    assert (bolt.on_hand, bolt.reserved) == (80, 0)


def test_shipping_waits_for_prepayment_and_says_why(alpha, x, products, staff, clients, carrier):
    with schema_context(alpha.schema):
        Company.objects.filter(pk=x.company.pk).update(payment_terms="prepayment", net_days=None)
        order = place(x, x.buyer, {products["BOLT"]: 2})
    advance(alpha, order, staff, "confirmed")
    message = "This customer pays in advance: the order ships once it is paid in full."
    page = clients["dispatcher"].get(url(order))
    assert page.context["actions"].ship_blocked == message
    refused = clients["dispatcher"].post(
        url(order, "ship"), {"carrier": str(carrier.public_id), "line_1": "2"}
    )
    assert refused.status_code == 400
    assert messages_of(refused) == [message]
    assert state(alpha, order)[0] == "confirmed"


def test_finance_issues_a_pro_forma_and_records_payments(alpha, clients, order):
    finance = clients["finance"]
    assert finance.post(url(order, "proforma")).status_code == 302
    assert state(alpha, order)[2] == "proforma_issued"
    bad = finance.post(url(order, "payment"), {"amount": "abc"})
    assert bad.status_code == 400
    assert bad.context["payment_form"].errors == {
        "amount": ["“abc” is not an amount: write it like 120.50."]
    }
    over = finance.post(url(order, "payment"), {"amount": "300"})
    assert over.context["payment_form"].errors == {
        "amount": ["Enter an amount between 0.01 and EUR 250.00 (what is still due)."]
    }
    assert (
        finance.post(url(order, "payment"), {"amount": "100", "reference": "BANK-1"}).status_code
        == 302
    )
    assert state(alpha, order)[2:4] == ("partially_paid", Decimal("100.00"))
    page = finance.get(url(order))
    assert page.context["payment_form"]["amount"].initial == Decimal("150.00")
    assert finance.post(url(order, "payment"), {"amount": "150,00"}).status_code == 302
    assert state(alpha, order)[2:4] == ("paid", Decimal("250.00"))
    assert not finance.get(url(order)).context["actions"].payment


WRONG_ROLES = [
    ("dispatcher", "validate", "received", {}),
    ("finance", "reject", "received", {"reason": "No"}),
    ("account_manager", "confirm", "validated", {}),
    ("dispatcher", "cancel", "received", {"cancel_reason": "No"}),
    ("validator", "ship", "confirmed", {"line_1": "1", "line_2": "0"}),
    ("finance", "deliver", "confirmed", {}),
    ("validator", "payment", "received", {"amount": "10"}),
    ("account_manager", "proforma", "received", {}),
]


@pytest.mark.parametrize(("role", "action", "at", "data"), WRONG_ROLES)
def test_the_wrong_role_is_refused_and_nothing_changes(
    alpha, clients, order, staff, carrier, role, action, at, data
):
    if at != "received":
        advance(alpha, order, staff, at)
    if action == "ship":
        data = {**data, "carrier": str(carrier.public_id)}
    before = state(alpha, order)
    with schema_context(alpha.schema):
        shipped = list(
            OrderLine.objects.filter(order=order).values_list("quantity_shipped", flat=True)
        )
    assert clients[role].post(url(order, action), data).status_code == 403
    assert state(alpha, order) == before
    with schema_context(alpha.schema):
        assert (
            list(OrderLine.objects.filter(order=order).values_list("quantity_shipped", flat=True))
            == shipped
        )


def test_actions_are_posts_with_a_csrf_token(alpha, order, staff):
    client = Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True)
    client.get("/login/")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    signed_in = client.post(
        "/login/",
        {
            "email": staff["validator"].email,
            "password": TEST_PASSWORD,
            "csrfmiddlewaretoken": token,
        },
    )
    assert signed_in.status_code == 302
    before = state(alpha, order)
    assert client.get(url(order, "validate")).status_code == 405
    assert client.post(url(order, "validate")).status_code == 403  # no token
    assert state(alpha, order) == before


# --- the queue --------------------------------------------------------------------------------


def test_the_queue_counts_every_state_and_filters(alpha, x, y, products, staff, clients):
    with schema_context(alpha.schema):
        bolt, nut = products["BOLT"], products["NUT"]
        first = place(x, x.buyer, {bolt: 1}, po_number="PO-A")
        second = place(x, x.admin, {nut: 10}, cost_centre=str(x.cost_centre.public_id))
        third = place(y, y.buyer, {bolt: 30}, po_number="PO-B")
        order_validate(actor=staff["validator"], order=third)
        Order.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=40))
    admin = clients["administrator"]

    def numbers(query: str = "") -> list[str]:
        response = admin.get(QUEUE + "?" + query)
        assert response.status_code == 200
        return [o.number for o in response.context["page"]]

    tabs = admin.get(QUEUE).context["tabs"]
    assert [(t.label, t.count) for t in tabs] == [
        ("All", 3),
        ("At the buyer's approver", 0),
        ("Received", 2),
        ("In validation", 1),
        ("Confirmed", 0),
        ("In dispatch", 0),
        ("Delivered", 0),
        ("Cancelled", 0),
    ]
    assert numbers() == [third.number, second.number, first.number]
    assert numbers("status=received") == [second.number, first.number]
    assert numbers("q=po-b") == [third.number]
    assert numbers(f"q={first.number}") == [first.number]
    assert numbers(f"company={y.company.public_id}") == [third.number]
    assert numbers("sku=nut") == [second.number]
    assert numbers("buyer=X-ADMIN@buyer.test") == [second.number]
    assert numbers("cost_centre=maint") == [second.number]
    assert numbers("amount_min=20&amount_max=300") == [third.number, second.number]
    since = (timezone.now() - timedelta(days=1)).date().isoformat()
    assert numbers(f"date_from={since}") == [third.number, second.number]
    until = (timezone.now() - timedelta(days=30)).date().isoformat()
    assert numbers(f"date_to={until}") == [first.number]
    # Tabs count under the other filters; the state tab keeps them.
    filtered = admin.get(QUEUE + f"?company={x.company.public_id}&status=received")
    assert [(t.label, t.count) for t in filtered.context["tabs"]][:4] == [
        ("All", 2),
        ("At the buyer's approver", 0),
        ("Received", 2),
        ("In validation", 0),
    ]
    bad = admin.get(QUEUE + "?amount_min=abc&amount_max=1&date_from=2026-02-01&date_to=2026-01-01")
    assert bad.context["form"].errors == {
        "amount_min": ["Enter a number."],
        "date_to": ["The end date comes before the start date."],
    }
    assert [o.number for o in bad.context["page"]] == []  # amount_max=1 still applies


def test_the_csv_export_has_the_queues_filters(alpha, x, y, products, clients):
    with schema_context(alpha.schema):
        place(x, x.buyer, {products["BOLT"]: 1}, po_number="=cmd")
        theirs = place(y, y.buyer, {products["BOLT"]: 2})
    export = clients["finance"].get(f"/backoffice/orders/export.csv?company={y.company.public_id}")
    assert export["Content-Type"] == "text/csv"
    assert export["Content-Disposition"] == 'attachment; filename="orders.csv"'
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert rows[0] == [
        "number", "placed_at", "company", "company_ref", "buyer", "po_number", "cost_centre",
        "process_state", "validation_state", "payment_state", "currency", "total",
        "amount_paid", "requested_delivery_date",
    ]  # fmt: skip
    assert [(r[0], r[2], r[4], r[7], r[11]) for r in rows[1:]] == [
        (theirs.number, "Yarrow BV", "y-buyer@buyer.test", "received", "20.00")
    ]
    everything = clients["finance"].get("/backoffice/orders/export.csv?q=cmd")
    rows = list(csv.reader(io.StringIO(everything.content.decode())))
    assert [r[5] for r in rows[1:]] == ["'=cmd"]


def test_the_queue_paginates(alpha, x, products, clients):
    with schema_context(alpha.schema):
        for _ in range(27):
            place(x, x.buyer, {products["BOLT"]: 1})
    first = clients["validator"].get(QUEUE + "?status=received")
    page = first.context["page"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (27, 25, 2)
    assert "?status=received&amp;page=2" in first.content.decode()
    second = clients["validator"].get(QUEUE + "?status=received&page=2")
    assert len(second.context["page"].object_list) == 2


def count_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_the_queue_runs_the_same_queries_for_3_or_20_orders(alpha, x, y, products, clients):
    admin = clients["administrator"]
    with schema_context(alpha.schema):
        for n in range(3):
            place(x if n % 2 else y, (x if n % 2 else y).buyer, {products["BOLT"]: 1})
    count_queries(admin, QUEUE)  # warm: routing and snapshot caches
    small = count_queries(admin, QUEUE)
    with schema_context(alpha.schema):
        for n in range(17):
            place(x if n % 2 else y, (x if n % 2 else y).buyer, {products["BOLT"]: 1})
    # The user, the portal settings (time zone), the companies (filter), the tab counts, the
    # theme, the nav badge and the page's rows; the page's count comes from the tabs.
    assert count_queries(admin, QUEUE) == small == 7
    assert count_queries(admin, QUEUE + f"?status=received&company={x.company.public_id}") == small


def test_the_nav_shows_how_many_orders_wait_for_a_validator(alpha, x, products, staff, clients):
    with schema_context(alpha.schema):
        place(x, x.buyer, {products["BOLT"]: 1})
        waiting = place(x, x.buyer, {products["BOLT"]: 1})
        place(x, x.buyer, {products["BOLT"]: 1})
        order_validate(actor=staff["validator"], order=waiting)
    body = clients["dispatcher"].get("/backoffice/companies/").content.decode()
    assert '2<span class="visually-hidden"> waiting for validation</span>' in body


# --- carriers ---------------------------------------------------------------------------------


def test_carriers_are_created_and_edited_with_clear_messages(alpha, clients, carrier):
    dispatcher = clients["dispatcher"]
    bad = dispatcher.post(
        "/backoffice/orders/carriers/",
        {"name": "UPS", "tracking_url_template": "https://ups.example/track", "active": "on"},
    )
    assert bad.status_code == 400
    assert bad.context["form"].errors == {
        "tracking_url_template": [
            "The tracking link needs {tracking} where the tracking number goes, e.g. "
            "https://track.example.com/?id={tracking}"
        ]
    }
    plain = dispatcher.post(
        "/backoffice/orders/carriers/",
        {"name": "UPS", "tracking_url_template": "http://ups.example/{tracking}"},
    )
    assert plain.context["form"].errors == {
        "tracking_url_template": ["The tracking link must be an https:// address."]
    }
    taken = dispatcher.post(
        "/backoffice/orders/carriers/",
        {"name": "DHL", "tracking_url_template": "https://x.example/{tracking}"},
    )
    assert taken.context["form"].errors == {"name": ["There is already a carrier called “DHL”."]}
    created = dispatcher.post(
        "/backoffice/orders/carriers/",
        {
            "name": "UPS",
            "tracking_url_template": "https://ups.example/t/{tracking}",
            "active": "on",
        },
    )
    assert created.status_code == 302
    with schema_context(alpha.schema):
        ups = Carrier.objects.get(name="UPS")
        assert (ups.tracking_url_template, ups.active) == ("https://ups.example/t/{tracking}", True)

    edit = f"/backoffice/orders/carriers/{ups.public_id}/"
    assert dispatcher.get(edit).context["form"].initial["name"] == "UPS"
    assert (
        dispatcher.post(
            edit, {"name": "UPS Express", "tracking_url_template": "https://ups.example/{tracking}"}
        ).status_code
        == 302
    )
    with schema_context(alpha.schema):
        ups.refresh_from_db()
        assert (ups.name, ups.active) == ("UPS Express", False)
        assert (
            AuditEntry.objects.filter(action="carrier.saved", object_id=str(ups.public_id)).count()
            == 2
        )


def test_only_administrators_and_dispatchers_manage_carriers(alpha, clients, carrier):
    data = {"name": "GLS", "tracking_url_template": "https://gls.example/{tracking}"}
    edit = f"/backoffice/orders/carriers/{carrier.public_id}/"
    for role in ("validator", "finance", "account_manager"):
        assert clients[role].post("/backoffice/orders/carriers/", data).status_code == 403
        assert clients[role].get(edit).status_code == 403
        assert clients[role].post(edit, data).status_code == 403
        assert not clients[role].get("/backoffice/orders/carriers/").context["can_manage"]
    with schema_context(alpha.schema):
        assert list(Carrier.objects.values_list("name", flat=True)) == ["DHL"]
    assert clients["administrator"].post("/backoffice/orders/carriers/", data).status_code == 302


# --- the customers' ordering rules ------------------------------------------------------------


COMPANY_FORM = {
    "name": "Xylo GmbH",
    "vat_id": "DE999999999",
    "billing_line1": "Hauptstraße 1",
    "billing_postcode": "10115",
    "billing_city": "Berlin",
    "billing_country": "DE",
    "payment_terms": "net",
    "net_days": "30",
    "credit_limit": "10000",
    "status": "active",
}


def test_the_approval_threshold_and_po_rule_are_edited_on_the_company(alpha, x, clients):
    edit = f"/backoffice/companies/{x.company.public_id}/edit/"
    admin = clients["administrator"]
    form = admin.get(edit).context["form"]
    assert (form.initial["approval_threshold"], form.initial["po_required"]) == ("", False)
    negative = admin.post(edit, {**COMPANY_FORM, "approval_threshold": "-5"})
    assert negative.status_code == 400
    assert negative.context["form"].errors == {
        "approval_threshold": [
            "The approval threshold cannot be negative: leave it empty so orders need no "
            "approval, or enter 0 so every order goes to an approver."
        ]
    }
    garbage = admin.post(edit, {**COMPANY_FORM, "approval_threshold": "lots"})
    assert garbage.context["form"].errors == {
        "approval_threshold": ["Approval threshold: “lots” is not an amount; write it like 12.50."]
    }
    saved = admin.post(edit, {**COMPANY_FORM, "approval_threshold": "1500", "po_required": "on"})
    assert saved.status_code == 302
    with schema_context(alpha.schema):
        company = Company.objects.get(pk=x.company.pk)
        assert (company.approval_threshold, company.po_required) == (Decimal("1500.00"), True)
        entry = AuditEntry.objects.filter(action="company.updated").latest("id")
    assert entry.changes == {
        "approval_threshold": [None, "1500.00"],
        "po_required": [False, True],
        "vat_id": [x.company.vat_id, "DE999999999"],
    }
    page = admin.get(f"/backoffice/companies/{x.company.public_id}/").content.decode()
    assert "Orders above 1500.00 need approval" in page
    assert "Required on every order" in page
    assert admin.get(edit).context["form"].initial["approval_threshold"] == Decimal("1500.00")
    # Cleared again: no approval needed.
    assert admin.post(edit, COMPANY_FORM).status_code == 302
    with schema_context(alpha.schema):
        company.refresh_from_db()
        assert (company.approval_threshold, company.po_required) == (None, False)


def test_a_new_company_starts_with_its_ordering_rules(alpha, clients):
    response = clients["account_manager"].post(
        "/backoffice/companies/new/",
        {**COMPANY_FORM, "name": "Zeta AG", "approval_threshold": "0"},
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        zeta = Company.objects.get(name="Zeta AG")
    assert (zeta.approval_threshold, zeta.po_required) == (Decimal("0.00"), False)
    page = clients["account_manager"].get(response["Location"]).content.decode()
    assert "Every order needs approval" in page


def test_the_integration_keeps_ordering_rules_it_does_not_send(alpha, staff):
    item = {
        "external_ref": "ERP-9",
        "name": "Erp GmbH",
        "billing_line1": "Weg 1",
        "billing_postcode": "10115",
        "billing_city": "Berlin",
        "billing_country": "DE",
    }
    with schema_context(alpha.schema):
        actor = staff["administrator"]
        integration_upsert_companies(
            actor=actor, items=[{**item, "approval_threshold": Decimal("900"), "po_required": True}]
        )
        company = Company.objects.get(external_ref="ERP-9")
        assert (company.approval_threshold, company.po_required) == (Decimal("900.00"), True)
        integration_upsert_companies(actor=actor, items=[{**item, "name": "Erp AG"}])
        company.refresh_from_db()
        assert (company.name, company.approval_threshold, company.po_required) == (
            "Erp AG",
            Decimal("900.00"),
            True,
        )
        integration_upsert_companies(actor=actor, items=[{**item, "approval_threshold": None}])
        company.refresh_from_db()
        assert company.approval_threshold is None


def test_a_members_own_order_limit_is_set_with_the_role(alpha, x, clients):
    with schema_context(alpha.schema):
        member = Membership.objects.get(user=x.buyer)
    path = f"/backoffice/companies/{x.company.public_id}/members/{member.public_id}/role/"
    admin = clients["administrator"]
    negative = admin.post(path, {"role": "buyer", "order_limit": "-1"})
    assert negative.status_code == 400
    assert negative.context["form"].errors == {
        "order_limit": [
            "The order limit cannot be negative: leave it empty for no limit of their own, or "
            "enter 0 so every order they place needs an approver."
        ]
    }
    viewer = admin.post(path, {"role": "viewer", "order_limit": "100"})
    assert viewer.context["form"].errors == {
        "order_limit": [
            "Only members who order have an order limit: clear it or choose buyer, approver or "
            "company admin."
        ]
    }
    assert admin.post(path, {"role": "buyer", "order_limit": "250"}).status_code == 302
    with schema_context(alpha.schema):
        member.refresh_from_db()
        assert (member.role, member.order_limit) == ("buyer", Decimal("250.00"))
        entry = AuditEntry.objects.filter(action="company.member_role_changed").latest("id")
    assert entry.changes == {"order_limit": [None, "250.00"]}
    assert admin.get(path).context["form"].initial["order_limit"] == Decimal("250.00")
    assert (
        "Own orders up to 250.00"
        in admin.get(f"/backoffice/companies/{x.company.public_id}/").content.decode()
    )


def test_a_company_admin_sets_a_colleagues_order_limit_in_the_portal(alpha, x):
    portal = login(alpha.client(), "x-admin@buyer.test")
    with schema_context(alpha.schema):
        member = Membership.objects.get(user=x.buyer)
    path = f"/company/team/{member.public_id}/role/"
    negative = portal.post(path, {"role": "buyer", "order_limit": "-20"})
    assert negative.status_code == 400
    assert "The order limit cannot be negative" in negative.content.decode()
    assert portal.post(path, {"role": "buyer", "order_limit": "75"}).status_code == 302
    with schema_context(alpha.schema):
        member.refresh_from_db()
        assert member.order_limit == Decimal("75.00")
    assert "own orders up to 75.00" in portal.get("/company/team/").content.decode()


def test_the_rules_send_orders_for_approval(alpha, x, products):
    """What the new fields are for: placing above either limit waits for an approver."""
    with schema_context(alpha.schema):
        Membership.objects.filter(user=x.buyer).update(order_limit=Decimal("50"))
        buyer = User.objects.get(pk=x.buyer.pk)
        over_own = place(x, buyer, {products["BOLT"]: 6})
        within = place(x, buyer, {products["BOLT"]: 5})
    assert (over_own.process_state, within.process_state) == ("awaiting_approval", "received")
    assert over_own.approval_reason == "The order is above your own limit of EUR 50.00."


def test_the_order_page_runs_the_same_queries_for_one_line_or_many_and_shipments(
    alpha, x, products, staff, carrier, clients
):
    admin = clients["administrator"]
    with schema_context(alpha.schema):
        small = place(x, x.buyer, {products["BOLT"]: 2})
        large = place(x, x.buyer, {products["BOLT"]: 4, products["NUT"]: 20, products["GLUE"]: 1})
    advance(alpha, small, staff, "confirmed")
    data = {"carrier": str(carrier.public_id), "line_1": "1"}
    assert admin.post(url(small, "ship"), data).status_code == 302
    count_queries(admin, url(small))  # warm
    one_line = count_queries(admin, url(small))
    with schema_context(alpha.schema):
        order_validate(actor=staff["validator"], order=large)
        StockLevelFactory(product=products["GLUE"], warehouse=products["warehouse"], on_hand=5)
        order_confirm(actor=staff["validator"], order=large)
    for quantities in (
        {"line_1": "1", "line_2": "5", "line_3": "0"},
        {"line_1": "2", "line_2": "5", "line_3": "1"},
    ):
        data = {"carrier": str(carrier.public_id), **quantities}
        assert admin.post(url(large, "ship"), data).status_code == 302
    assert count_queries(admin, url(large)) == one_line
