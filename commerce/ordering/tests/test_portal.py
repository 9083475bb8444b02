"""The buyer's ordering pages: cart (live totals, one-click fixes), adding from the catalogue,
quick order, lists, checkout, the order history with its filters and CSV, the order page,
approvals, the inbox and the nav's counts; isolation between companies, tenants and roles."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape
from django_tenants.utils import schema_context

from commerce.ordering.models import (
    Cart,
    CartLine,
    Notification,
    Order,
    OrderEvent,
    RequisitionList,
    RequisitionListLine,
)
from commerce.ordering.policies import require_orderer
from commerce.ordering.services import (
    cart_add,
    list_create,
    list_set_item,
    order_confirm,
    order_validate,
    shipment_create,
)
from commerce.ordering.tests.conftest import login, place
from core.errors import PermissionDenied
from tests.factories import CompanyFactory, MembershipFactory

HX = {"HTTP_HX_REQUEST": "true"}


def client_for(tenant, email: str) -> Client:
    return login(tenant.client(), email)


def cart_of(alpha, user) -> dict[str, int]:
    with schema_context(alpha.schema):
        return dict(
            CartLine.objects.filter(cart__user=user)
            .order_by("id")
            .values_list("product__sku", "quantity")
        )


def fill(alpha, user, lines) -> None:
    with schema_context(alpha.schema):
        for product, quantity in lines.items():
            cart_add(actor=user, product_id=product.public_id, quantity=quantity)


def state(alpha) -> tuple:
    """Everything a refused request must leave as it was."""
    with schema_context(alpha.schema):
        return (
            list(
                CartLine.objects.order_by("id").values_list(
                    "cart__user_id", "product_id", "quantity"
                )
            ),
            list(RequisitionList.objects.order_by("id").values_list("name", "company_id")),
            list(
                RequisitionListLine.objects.order_by("id").values_list(
                    "requisition_list_id", "product_id", "quantity"
                )
            ),
            list(Order.objects.order_by("id").values_list("number", "process_state", "total")),
            OrderEvent.objects.count(),
            list(Notification.objects.order_by("id").values_list("user_id", "read_at")),
        )


def body(response) -> str:
    return response.content.decode()


def refusal(check, actor) -> str:
    """The message a policy check refuses ``actor`` with (pages show the policy's words)."""
    with pytest.raises(PermissionDenied) as refused:
        check(actor)
    return refused.value.message


# --- every page renders -------------------------------------------------------------------------


def test_every_page_renders_for_a_buyer(alpha, x, products):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 3}, po_number="PO-1")
        saved = list_create(actor=x.buyer, name="Workshop")
    fill(alpha, x.buyer, {products["NUT"]: 20})
    client = client_for(alpha, "x-buyer@buyer.test")
    expectations = {
        "/cart/": "Lock nut M8",
        "/quick-order/": "SKU and quantity, one per line",
        "/lists/": "Workshop",
        f"/lists/{saved.public_id}/": "This list is empty.",
        "/checkout/": "Place order",
        "/orders/": order.number,
        f"/orders/{order.public_id}/": "PO-1",
        "/approvals/": "Only your company's approvers and admins decide orders.",
        "/notifications/": f"Order {order.number} submitted",
    }
    for path, text in expectations.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert text in body(response), path


def test_the_nav_shows_the_cart_and_unread_counts_in_one_query(alpha, x, products):
    with schema_context(alpha.schema):
        place(x, x.buyer, {products["BOLT"]: 1})
    fill(alpha, x.buyer, {products["BOLT"]: 2, products["NUT"]: 10})
    page = body(client_for(alpha, "x-buyer@buyer.test").get("/catalogue/"))
    assert re.search(r'id="nav-cart-count"[^>]*>2</span>', page)
    assert re.search(r'id="nav-unread-count"[^>]*>1</span>', page)
    assert 'href="/quick-order/"' in page and 'href="/approvals/"' not in page
    approver_page = body(client_for(alpha, "x-approver@buyer.test").get("/catalogue/"))
    assert 'href="/approvals/"' in approver_page


def test_the_nav_counts_cost_one_query(alpha, x, django_assert_num_queries):
    from commerce.ordering.selectors.portal import nav_counts

    with schema_context(alpha.schema):
        membership = x.buyer.membership
        assert not Cart.objects.exists()  # (the schema is set before counting)
        with django_assert_num_queries(1):
            counts = nav_counts(membership)
    assert (counts.cart_lines, counts.unread) == (0, 0)


def test_anonymous_visitors_are_sent_to_sign_in(alpha, x):
    client = alpha.client()
    for path in ("/cart/", "/orders/?status=received", "/checkout/", "/notifications/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    assert client.get("/orders/?status=received")["Location"] == (
        "/login/?next=%2Forders%2F%3Fstatus%3Dreceived"
    )
    assert client.post("/cart/add/", {"quantity": "1"})["Location"].startswith("/login/")


def test_supplier_staff_get_not_found(alpha, x):
    client = client_for(alpha, "admin@alpha.test")
    for path in ("/cart/", "/orders/", "/lists/", "/checkout/", "/approvals/"):
        assert client.get(path).status_code == 404, path


# --- adding to the cart -------------------------------------------------------------------------


def test_catalogue_cards_carry_an_add_form_without_per_user_data(alpha, x, products):
    client = client_for(alpha, "x-buyer@buyer.test")
    page = body(client.get("/catalogue/?q=NUT"))
    form = re.search(r'<form class="catalogue-add".*?</form>', page, re.S).group(0)
    assert 'hx-post="/cart/add/"' in form
    assert f'action="/catalogue/{products["NUT"].public_id}/"' in form  # no-JS fallback
    assert 'name="quantity" value="10"' in form  # the minimum order
    assert "csrfmiddlewaretoken" not in form and "x-buyer" not in form


def test_adding_from_a_card_with_htmx_passes_the_csrf_check(alpha, x, products):
    client = Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True)
    page = body(client.get("/login/"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    client.post(
        "/login/",
        {
            "email": "x-buyer@buyer.test",
            "password": "Correct-Horse-Battery-42",
            "csrfmiddlewaretoken": token,
        },
    )
    page = body(client.get("/catalogue/"))
    header_token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    data = {"product": str(products["BOLT"].public_id), "quantity": "4"}

    assert client.post("/cart/add/", data, **HX).status_code == 403  # no token: refused
    response = client.post("/cart/add/", data, HTTP_X_CSRFTOKEN=header_token, **HX)

    assert response.status_code == 200
    assert "4 × Hex bolt M8 in your cart." in body(response)
    assert re.search(r'id="nav-cart-count"[^>]*hx-swap-oob="true"[^>]*>1</span>', body(response))
    assert cart_of(alpha, x.buyer) == {"BOLT": 4}


def test_adding_from_the_product_page_returns_to_it(alpha, x, products):
    client = client_for(alpha, "x-buyer@buyer.test")
    bolt = products["BOLT"]
    page = body(client.get(f"/catalogue/{bolt.public_id}/"))
    assert 'action="/cart/add/"' in page and "csrfmiddlewaretoken" in page

    response = client.post(
        "/cart/add/",
        {"product": bolt.public_id, "quantity": "12", "next": f"/catalogue/{bolt.public_id}/"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/catalogue/{bolt.public_id}/"
    client.post("/cart/add/", {"product": bolt.public_id, "quantity": "3"})
    assert cart_of(alpha, x.buyer) == {"BOLT": 15}

    bad = client.post(
        "/cart/add/", {"product": bolt.public_id, "quantity": "1.5", "next": "https://evil.test/"}
    )
    assert bad["Location"] == "/cart/"  # never off-site
    assert "“1.5” is not a whole number" in body(client.get("/cart/"))
    assert cart_of(alpha, x.buyer) == {"BOLT": 15}


# --- the cart -----------------------------------------------------------------------------------


def test_changing_a_quantity_returns_the_new_totals(alpha, x, products):
    fill(alpha, x.buyer, {products["BOLT"]: 2, products["NUT"]: 10})
    client = client_for(alpha, "x-buyer@buyer.test")
    assert 'data-testid="cart-total">EUR 45.00<' in body(client.get("/cart/"))

    response = client.post(f"/cart/lines/{products['BOLT'].public_id}/", {"quantity": "7"}, **HX)

    assert response.status_code == 200
    fragment = body(response)
    assert fragment.lstrip().startswith('<div id="cart"')
    assert 'data-testid="line-total">EUR 70.00<' in fragment
    assert 'data-testid="cart-total">EUR 95.00<' in fragment
    assert cart_of(alpha, x.buyer) == {"BOLT": 7, "NUT": 10}


def test_a_refused_quantity_is_shown_next_to_its_line(alpha, x, products):
    fill(alpha, x.buyer, {products["BOLT"]: 2})
    client = client_for(alpha, "x-buyer@buyer.test")
    response = client.post(f"/cart/lines/{products['BOLT'].public_id}/", {"quantity": "two"}, **HX)
    assert response.status_code == 400
    assert response["X-Portico-Swap"] == "1"
    assert "“two” is not a quantity: write e.g. 12." in body(response)
    assert cart_of(alpha, x.buyer) == {"BOLT": 2}


def test_problems_sit_next_to_their_line_and_the_fix_button_applies_the_quantity(
    alpha, x, products
):
    fill(alpha, x.buyer, {products["NUT"]: 60, products["BOLT"]: 1})
    client = client_for(alpha, "x-buyer@buyer.test")
    page = body(client.get("/cart/"))
    nut = re.search(r'<li class="list-group-item portal-line" data-sku="NUT">.*?</li>', page, re.S)
    assert "NUT: 60 pcs nearly fills 1 pallet of 100." in nut.group(0)
    assert "NUT: only 40 in stock; you asked for 60." in nut.group(0)
    assert re.findall(r'data-testid="fix">([^<]+)<', nut.group(0)) == [
        "Reduce to 40",
        "Round up to 100",
    ]
    assert 'data-testid="fix"' not in page.split('data-sku="BOLT"')[1]

    response = client.post(f"/cart/lines/{products['NUT'].public_id}/", {"quantity": "100"}, **HX)

    assert response.status_code == 200
    assert cart_of(alpha, x.buyer) == {"NUT": 100, "BOLT": 1}
    assert "nearly fills" not in body(response)


def test_order_level_problems_show_above_the_lines(alpha, x, products):
    with schema_context(alpha.schema):
        x.company.status = "on_hold"
        x.company.hold_reason = "Overdue invoices."
        x.company.save()
    fill(alpha, x.buyer, {products["BOLT"]: 1})
    page = body(client_for(alpha, "x-buyer@buyer.test").get("/cart/"))
    assert page.index("Your company&#x27;s account is on hold: Overdue invoices.") < page.index(
        'data-sku="BOLT"'
    )
    assert 'aria-disabled="true">Checkout' in page


def test_remove_clear_and_save_the_cart_to_a_list(alpha, x, products):
    fill(alpha, x.buyer, {products["BOLT"]: 2, products["NUT"]: 10, products["GLUE"]: 1})
    client = client_for(alpha, "x-buyer@buyer.test")
    removed = client.post(f"/cart/lines/{products['GLUE'].public_id}/remove/", **HX)
    assert re.search(r'id="nav-cart-count"[^>]*>2</span>', body(removed))

    saved = client.post("/cart/save/", {"new_name": "Weekly"})

    with schema_context(alpha.schema):
        weekly = RequisitionList.objects.get(company=x.company, name="Weekly")
        assert dict(weekly.lines.values_list("product__sku", "quantity")) == {"BOLT": 2, "NUT": 10}
    assert saved["Location"] == f"/lists/{weekly.public_id}/"
    fill(alpha, x.buyer, {products["BOLT"]: 1})
    client.post("/cart/save/", {"requisition_list": str(weekly.public_id)})
    with schema_context(alpha.schema):
        assert weekly.lines.get(product__sku="BOLT").quantity == 3
    assert client.post("/cart/clear/").status_code == 302
    assert cart_of(alpha, x.buyer) == {}


# --- quick order --------------------------------------------------------------------------------


def test_quick_order_adds_the_good_lines_and_reports_every_bad_one(alpha, x, products):
    client = client_for(alpha, "x-buyer@buyer.test")
    text = "BOLT 5\nNOPE 3\nnut;2.5\n\nglue\nNUT, 20"

    response = client.post("/quick-order/", {"text": text})

    assert response.status_code == 200
    page = body(response)
    assert "2 lines added to your cart" in page
    bad = re.findall(
        r'data-line="(\d+)">\s*<span class="badge text-bg-danger">Line \d+</span>\s*'
        r'<code class="ms-1">([^<]*)</code>\s*<div>([^<]*)</div>',
        page,
    )
    assert bad == [
        ("2", "NOPE 3", "There is no product with SKU “NOPE”."),
        ("3", "nut;2.5", "nut: “2.5” is not a whole number: order whole units."),
        ("5", "glue", "glue: the quantity is missing."),
    ]
    assert "\nNOPE 3\nnut;2.5\nglue</textarea>" in page  # the bad lines stay, to correct
    assert cart_of(alpha, x.buyer) == {"BOLT": 5, "NUT": 20}


def test_quick_order_reads_a_csv_and_says_when_the_file_is_wrong(alpha, x, products):
    client = client_for(alpha, "x-buyer@buyer.test")
    good = SimpleUploadedFile("o.csv", b"sku;quantity\nBOLT;4\nGONE;1\n", content_type="text/csv")
    page = body(client.post("/quick-order/", {"file": good}))
    assert "1 line added to your cart" in page
    assert (
        'data-line="3"' in page
        and "Row 3" in page
        and "There is no product with SKU “GONE”." in page
    )

    wrong = SimpleUploadedFile("o.csv", b"item,amount\nBOLT,1\n", content_type="text/csv")
    response = client.post("/quick-order/", {"file": wrong})
    assert response.status_code == 400
    assert (
        "The file needs a header row with the columns sku and quantity (found: amount, item)."
        in body(response)
    )
    assert cart_of(alpha, x.buyer) == {"BOLT": 4}


# --- lists --------------------------------------------------------------------------------------


def test_a_list_is_created_edited_ordered_and_deleted(alpha, x, products):
    client = client_for(alpha, "x-buyer@buyer.test")
    created = client.post("/lists/", {"name": "  Site   B "})
    with schema_context(alpha.schema):
        site = RequisitionList.objects.get(company=x.company)
    assert (site.name, created["Location"]) == ("Site B", f"/lists/{site.public_id}/")
    base = f"/lists/{site.public_id}"

    client.post(f"{base}/items/", {"sku": "bolt", "quantity": "6"})
    client.post(f"{base}/items/", {"sku": "NUT", "quantity": "20"})
    client.post(f"{base}/items/", {"sku": "NOPE", "quantity": "1"})
    assert "There is no product with SKU “NOPE”." in body(client.get(f"{base}/"))
    client.post(f"{base}/items/{products['BOLT'].public_id}/", {"quantity": "8"})
    client.post(f"{base}/items/{products['NUT'].public_id}/remove/")
    client.post(f"{base}/rename/", {"name": "Site C"})
    with schema_context(alpha.schema):
        site.refresh_from_db()
        assert site.name == "Site C"
        assert dict(site.lines.values_list("product__sku", "quantity")) == {"BOLT": 8}
    assert 'value="8"' in body(client.get(f"{base}/"))

    to_cart = client.post(f"{base}/cart/")
    assert to_cart["Location"] == "/cart/"
    assert cart_of(alpha, x.buyer) == {"BOLT": 8}
    assert client.post(f"{base}/delete/")["Location"] == "/lists/"
    with schema_context(alpha.schema):
        assert not RequisitionList.objects.filter(pk=site.pk).exists()


def test_a_taken_list_name_is_shown_on_the_form(alpha, x):
    with schema_context(alpha.schema):
        list_create(actor=x.buyer, name="Weekly")
    response = client_for(alpha, "x-admin@buyer.test").post("/lists/", {"name": "Weekly"})
    assert response.status_code == 400
    assert "Your company already has a list called “Weekly”." in body(response)


# --- checkout -----------------------------------------------------------------------------------


def test_checkout_without_a_required_po_shows_it_next_to_the_field_and_places_nothing(
    alpha, x, products
):
    with schema_context(alpha.schema):
        x.company.po_required = True
        x.company.save()
    fill(alpha, x.buyer, {products["BOLT"]: 2})
    client = client_for(alpha, "x-buyer@buyer.test")
    assert "PO number (required)" in body(client.get("/checkout/"))
    before = state(alpha)

    response = client.post(
        "/checkout/", {"action": "place", "delivery_address": str(x.address.public_id)}
    )

    assert response.status_code == 400
    page = body(response)
    error = re.search(r'<div class="form-field-error" id="id_po_number_error"[^>]*>([^<]*)<', page)
    assert error.group(1) == (
        "Xylo GmbH requires a PO number on every order. "
        "Enter the purchase order number from your system."
    )
    assert 'aria-invalid="true"' in page and 'data-testid="not-placed"' in page
    assert state(alpha) == before


def test_placing_an_order_redirects_to_it(alpha, x, products):
    fill(alpha, x.buyer, {products["BOLT"]: 2, products["NUT"]: 10})
    client = client_for(alpha, "x-buyer@buyer.test")
    page = body(client.get("/checkout/"))
    assert "On invoice, due in 30 days." in page
    assert 'data-testid="approval-notice"' not in page

    response = client.post(
        "/checkout/",
        {
            "action": "place",
            "delivery_address": str(x.address.public_id),
            "po_number": "PO-900",
            "cost_centre": str(x.cost_centre.public_id),
            "requested_delivery_date": "2099-01-02",
            "note": "Gate 3",
        },
    )

    with schema_context(alpha.schema):
        order = Order.objects.get(company=x.company)
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.public_id}/"
    assert (order.po_number, order.cost_centre_code, order.total, order.process_state) == (
        "PO-900",
        "MAINT",
        Decimal("45.00"),
        "received",
    )
    assert cart_of(alpha, x.buyer) == {}
    landing = body(client.get(response["Location"]))
    assert f"Order {order.number} is placed: the supplier has received it." in landing


def test_checkout_warns_of_approval_and_explains_prepayment(alpha, x, products):
    with schema_context(alpha.schema):
        x.company.approval_threshold = Decimal("10")
        x.company.payment_terms = "prepayment"
        x.company.save()
    fill(alpha, x.buyer, {products["BOLT"]: 2})
    page = body(client_for(alpha, "x-buyer@buyer.test").get("/checkout/"))
    assert "Orders above EUR 10.00 need approval in your company." in page
    assert "Pay after confirmation" in page


def test_review_rechecks_the_checkout_without_placing(alpha, x, products):
    fill(alpha, x.buyer, {products["GLUE"]: 2})
    client = client_for(alpha, "x-buyer@buyer.test")
    response = client.post(
        "/checkout/review/",
        {"delivery_address": str(x.address.public_id), "requested_delivery_date": "2000-01-01"},
        **HX,
    )
    assert response.status_code == 200
    fragment = body(response)
    assert fragment.lstrip().startswith('<div id="checkout"')
    assert "The requested delivery date 1 Jan 2000 is in the past." in fragment
    assert "GLUE is not in stock; it ships in 5 days." in fragment
    with schema_context(alpha.schema):
        assert not Order.objects.exists()


# --- orders -------------------------------------------------------------------------------------


@pytest.fixture
def history(alpha, x, products):
    """Four orders of X: by the buyer and the admin, with and without PO and cost centre, one
    cancelled, on dates around a day boundary in the portal's time zone (Amsterdam)."""
    with schema_context(alpha.schema):
        a = place(x, x.buyer, {products["BOLT"]: 1}, po_number="PO-A")
        b = place(
            x,
            x.buyer,
            {products["NUT"]: 40},
            po_number="PO-B",
            cost_centre=str(x.cost_centre.public_id),
        )
        c = place(x, x.admin, {products["BOLT"]: 30, products["NUT"]: 10})
        d = place(x, x.admin, {products["GLUE"]: 1}, po_number="=cmd()")
        from commerce.ordering.services import order_cancel

        order_cancel(actor=x.admin, order=d)
        stamps = {
            a: datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
            b: datetime(2026, 3, 1, 23, 30, tzinfo=UTC),  # 2 March, 00:30 in Amsterdam
            c: datetime(2026, 3, 5, 9, 0, tzinfo=UTC),
            d: datetime(2026, 3, 9, 9, 0, tzinfo=UTC),
        }
        for order, at in stamps.items():
            Order.objects.filter(pk=order.pk).update(created_at=at)
    return {"a": a, "b": b, "c": c, "d": d}


def numbers(page: str) -> list[str]:
    return re.findall(r'data-number="([^"]+)"', page)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["d", "c", "b", "a"]),
        ("q=PO-B", ["b"]),
        ("date_from=2026-03-02", ["d", "c", "b"]),
        ("date_to=2026-03-01", ["a"]),
        ("date_from=2026-03-02&date_to=2026-03-05", ["c", "b"]),
        ("amount_min=100", ["c", "b"]),
        ("amount_max=10", ["d", "a"]),
        ("product=nut", ["c", "b"]),
        ("status=cancelled", ["d"]),
        ("po=po-a", ["a"]),
        ("buyer=X-ADMIN@buyer.test", ["d", "c"]),
        ("cost_centre=maint", ["b"]),
        ("amount_min=lots", ["d", "c", "b", "a"]),  # a filter that does not parse is left out
    ],
)
def test_each_order_filter_narrows_the_list(alpha, x, history, query, expected):
    response = client_for(alpha, "x-viewer@buyer.test").get(f"/orders/?{query}")
    assert response.status_code == 200
    assert numbers(body(response)) == [history[k].number for k in expected]


def test_the_orders_list_shows_the_buyers_status_and_paginates(alpha, x, history):
    page = body(client_for(alpha, "x-buyer@buyer.test").get("/orders/"))
    statuses = re.findall(r'data-testid="status">([^<]+)<', page)
    assert statuses == [
        "Cancelled",
        "Received by the supplier",
        "Received by the supplier",
        "Received by the supplier",
    ]
    assert 'href="/orders/export.csv"' in page
    filtered = body(client_for(alpha, "x-buyer@buyer.test").get("/orders/?po=PO-A&page=1"))
    assert 'href="/orders/export.csv?po=PO-A"' in filtered


def test_the_csv_export_has_the_same_filters(alpha, x, history):
    client = client_for(alpha, "x-buyer@buyer.test")
    response = client.get("/orders/export.csv?buyer=x-admin@buyer.test")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    c, d = history["c"], history["d"]
    assert rows == [
        [
            "number",
            "placed_at",
            "status",
            "po_number",
            "cost_centre",
            "placed_by",
            "total",
            "currency",
        ],
        [
            d.number,
            "2026-03-09 10:00",
            "Cancelled",
            "'=cmd()",
            "",
            "x-admin@buyer.test",
            "7.00",
            "EUR",
        ],
        [
            c.number,
            "2026-03-05 10:00",
            "Received by the supplier",
            "",
            "",
            "x-admin@buyer.test",
            "325.00",
            "EUR",
        ],
    ]


@pytest.mark.parametrize("count", [3, 20])
def test_the_orders_page_runs_a_fixed_number_of_queries(
    alpha, x, products, django_assert_num_queries, count
):
    with schema_context(alpha.schema):
        for n in range(count):
            place(x, x.buyer, {products["BOLT"]: 1, products["NUT"]: 10}, po_number=f"PO-{n}")
    client = client_for(alpha, "x-buyer@buyer.test")
    # user with membership and company, portal settings (time zone), COUNT, the page of
    # orders with their buyers, the lines of those orders (status), theme, nav counts.
    with django_assert_num_queries(7):
        response = client.get("/orders/")
    assert len(numbers(body(response))) == count


def test_the_order_page_shows_the_timeline_and_the_tracking_link(
    alpha, x, products, staff, carrier
):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 5}, po_number="PO-T")
        order = order_validate(actor=staff["validator"], order=order, comment="Fine")
        order = order_confirm(actor=staff["validator"], order=order)
        shipment_create(
            actor=staff["dispatcher"],
            order=order,
            carrier_id=carrier.public_id,
            tracking_number="JD 0001",
        )
    page = body(client_for(alpha, "x-viewer@buyer.test").get(f"/orders/{order.public_id}/"))
    timeline = re.search(r'data-testid="timeline">(.*?)</ol>', page, re.S).group(1)
    titles = re.findall(r'<div class="fw-semibold">([^<]+)</div>', timeline)
    # in the buyer's words; the move to dispatch is told by the shipment's own entry
    assert titles == [
        "Sent to the supplier",
        "Being checked by the supplier",
        "Accepted by the supplier",
        "Confirmed by the supplier",
        "Shipped with DHL, tracking JD 0001",
    ]
    assert "“Fine”" in timeline
    assert 'href="https://dhl.example/t/JD%200001"' in page
    assert 'data-testid="tracking">JD 0001<' in page
    assert re.search(r'data-testid="status">\s*Shipped\s*<', page)
    assert "Order everything again" not in page  # a viewer does not reorder


def test_a_supplier_rejection_shows_its_reason(alpha, x, products, staff):
    from commerce.ordering.services import order_reject

    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 5})
        order_reject(
            actor=staff["validator"], order=order, reason="We no longer ship to this site."
        )
    page = body(client_for(alpha, "x-buyer@buyer.test").get(f"/orders/{order.public_id}/"))
    assert "Rejected by the supplier:</span> We no longer ship to this site." in page


# --- approvals, cancel, reorder -----------------------------------------------------------------


@pytest.fixture
def waiting(alpha, x, products):
    with schema_context(alpha.schema):
        x.company.approval_threshold = Decimal("100")
        x.company.save()
        return place(x, x.buyer, {products["BOLT"]: 20})


def test_an_approver_approves_from_the_queue(alpha, x, waiting):
    client = client_for(alpha, "x-approver@buyer.test")
    queue = body(client.get("/approvals/"))
    assert numbers(queue) == [waiting.number]
    assert "Orders above EUR 100.00 need approval in your company." in queue
    assert 'class="btn btn-success btn-lg w-100 portal-big"' in queue

    response = client.post(f"/orders/{waiting.public_id}/approve/", {"next": "/approvals/"})

    assert response["Location"] == "/approvals/"
    with schema_context(alpha.schema):
        waiting.refresh_from_db()
        assert (waiting.process_state, waiting.approved_by_id) == ("received", x.approver.pk)
    assert numbers(body(client.get("/approvals/"))) == []


def test_the_queue_holds_only_orders_within_the_approvers_limit(alpha, x, waiting):
    with schema_context(alpha.schema):
        membership = x.approver.membership
        membership.approval_limit = Decimal("150")
        membership.save()
    assert numbers(body(client_for(alpha, "x-approver@buyer.test").get("/approvals/"))) == []
    admin_queue = body(client_for(alpha, "x-admin@buyer.test").get("/approvals/"))
    assert numbers(admin_queue) == [waiting.number]


def test_a_rejection_needs_a_comment_and_the_buyer_sees_it(alpha, x, waiting):
    client = client_for(alpha, "x-approver@buyer.test")
    page = body(client.get(f"/orders/{waiting.public_id}/"))
    assert 'data-testid="decide"' in page

    client.post(f"/orders/{waiting.public_id}/reject/", {"comment": "  "})
    assert "Say why you reject the order." in body(client.get(f"/orders/{waiting.public_id}/"))
    with schema_context(alpha.schema):
        waiting.refresh_from_db()
        assert waiting.process_state == "awaiting_approval"

    client.post(f"/orders/{waiting.public_id}/reject/", {"comment": "Too many bolts"})
    buyer_page = body(client_for(alpha, "x-buyer@buyer.test").get(f"/orders/{waiting.public_id}/"))
    assert "Rejected by your approver:</span> Too many bolts" in buyer_page


def test_the_approver_reads_that_the_order_waits_for_them_and_the_buyer_for_their_approver(
    alpha, x, waiting
):
    status = r'data-testid="status">\s*([^<]+?)\s*<'
    approver = body(client_for(alpha, "x-approver@buyer.test").get(f"/orders/{waiting.public_id}/"))
    buyer = body(client_for(alpha, "x-buyer@buyer.test").get(f"/orders/{waiting.public_id}/"))
    assert re.search(status, approver).group(1) == "Waiting for your approval"
    assert re.search(status, buyer).group(1) == "Waiting for your approver"


def test_the_buyer_cannot_decide_their_own_order(alpha, x, waiting):
    client = client_for(alpha, "x-buyer@buyer.test")
    assert 'data-testid="decide"' not in body(client.get(f"/orders/{waiting.public_id}/"))
    assert client.post(f"/orders/{waiting.public_id}/approve/").status_code == 403
    with schema_context(alpha.schema):
        waiting.refresh_from_db()
        assert waiting.process_state == "awaiting_approval"


def test_the_buyer_cancels_while_it_waits(alpha, x, waiting):
    client = client_for(alpha, "x-buyer@buyer.test")
    assert "Cancel the order" in body(client.get(f"/orders/{waiting.public_id}/"))
    client.post(f"/orders/{waiting.public_id}/cancel/", {"reason": "Wrong site"})
    with schema_context(alpha.schema):
        waiting.refresh_from_db()
        assert waiting.process_state == "cancelled"
    assert "Cancel the order" not in body(client.get(f"/orders/{waiting.public_id}/"))


def test_reorder_chosen_lines_says_what_changed(alpha, x, products):
    with schema_context(alpha.schema):
        order = place(x, x.buyer, {products["BOLT"]: 2, products["NUT"]: 10, products["GLUE"]: 1})
        products["BOLT"].list_price = Decimal("12.00")
        products["BOLT"].save()
        products["GLUE"].active = False
        products["GLUE"].save()
    client = client_for(alpha, "x-buyer@buyer.test")
    assert (
        client.post(f"/orders/{order.public_id}/reorder/", {"scope": "chosen"})["Location"]
        == f"/orders/{order.public_id}/"
    )
    assert cart_of(alpha, x.buyer) == {}

    response = client.post(
        f"/orders/{order.public_id}/reorder/", {"scope": "chosen", "lines": ["1", "3"]}
    )

    assert response["Location"] == "/cart/"
    assert cart_of(alpha, x.buyer) == {"BOLT": 2}
    page = body(client.get("/cart/"))
    assert "BOLT: the price went up from" in page
    assert "GLUE (Thread glue) can no longer be ordered." in page
    client.post(f"/orders/{order.public_id}/reorder/", {"scope": "all"})
    assert cart_of(alpha, x.buyer) == {"BOLT": 4, "NUT": 10}


# --- notifications ------------------------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_goes_to_the_order(alpha, x, products):
    with schema_context(alpha.schema):
        first = place(x, x.buyer, {products["BOLT"]: 1})
        place(x, x.buyer, {products["BOLT"]: 1})
        note = Notification.objects.get(order=first)
    client = client_for(alpha, "x-buyer@buyer.test")
    page = body(client.get("/notifications/"))
    assert page.count("portal-unread") == 2

    response = client.post(f"/notifications/{note.public_id}/read/")

    assert response["Location"] == f"/orders/{first.public_id}/"
    assert re.search(r'id="nav-unread-count"[^>]*>1</span>', body(client.get("/notifications/")))
    client.post("/notifications/read/")
    with schema_context(alpha.schema):
        assert not Notification.objects.filter(user=x.buyer, read_at__isnull=True).exists()


# --- isolation ----------------------------------------------------------------------------------


@pytest.fixture
def x_objects(alpha, x, products):
    """An order (awaiting approval) and a list of company X, and a notification of X's buyer."""
    with schema_context(alpha.schema):
        x.company.approval_threshold = Decimal("1")
        x.company.save()
        order = place(x, x.buyer, {products["BOLT"]: 2})
        saved = list_create(actor=x.buyer, name="X list")
        list_set_item(
            actor=x.buyer, requisition_list=saved, product_id=products["BOLT"].public_id, quantity=3
        )
        note = Notification.objects.filter(user=x.buyer).first()
    return {"order": order, "list": saved, "note": note, "bolt": products["BOLT"]}


def foreign_requests(objects) -> list[tuple[str, str, dict]]:
    order, saved, bolt = (
        objects["order"].public_id,
        objects["list"].public_id,
        objects["bolt"].public_id,
    )
    return [
        ("get", f"/orders/{order}/", {}),
        ("post", f"/orders/{order}/approve/", {}),
        ("post", f"/orders/{order}/reject/", {"comment": "no"}),
        ("post", f"/orders/{order}/cancel/", {}),
        ("post", f"/orders/{order}/reorder/", {"scope": "all"}),
        ("get", f"/lists/{saved}/", {}),
        ("post", f"/lists/{saved}/rename/", {"name": "Mine now"}),
        ("post", f"/lists/{saved}/delete/", {}),
        ("post", f"/lists/{saved}/items/", {"sku": "BOLT", "quantity": "1"}),
        ("post", f"/lists/{saved}/items/{bolt}/", {"quantity": "9"}),
        ("post", f"/lists/{saved}/items/{bolt}/remove/", {}),
        ("post", f"/lists/{saved}/cart/", {}),
        ("post", "/cart/save/", {"requisition_list": str(saved)}),
        ("post", f"/notifications/{objects['note'].public_id}/read/", {}),
    ]


def test_another_companys_ids_are_not_found_on_every_page_and_action(alpha, x, y, x_objects):
    fill(alpha, y.admin, {x_objects["bolt"]: 1})  # so that saving the cart has something to save
    client = client_for(alpha, "y-admin@buyer.test")
    before = state(alpha)
    for method, path, data in foreign_requests(x_objects):
        assert getattr(client, method)(path, data).status_code == 404, path
        assert getattr(client, method)(path, data, **HX).status_code == 404, path
    assert state(alpha) == before
    assert x_objects["order"].number not in body(client.get("/orders/"))
    assert "X list" not in body(client.get("/lists/"))
    assert numbers(body(client.get("/approvals/"))) == []


def test_another_tenants_ids_are_not_found(alpha, beta, x, x_objects):
    with schema_context(beta.schema):
        company = CompanyFactory(name="Beta buyer")
        MembershipFactory(company=company, user__email="b-buyer@buyer.test", role="company_admin")
    client = client_for(beta, "b-buyer@buyer.test")
    before = state(alpha)
    for method, path, data in foreign_requests(x_objects):
        assert getattr(client, method)(path, data).status_code == 404, path
    assert (
        client.post(
            "/cart/add/", {"product": x_objects["bolt"].public_id, "quantity": "1"}
        ).status_code
        == 404
    )
    assert state(alpha) == before


def test_a_viewer_cannot_change_the_cart_or_place_orders(alpha, x, products, x_objects):
    fill(alpha, x.buyer, {products["BOLT"]: 1})
    client = client_for(alpha, "x-viewer@buyer.test")
    bolt = products["BOLT"].public_id
    saved = x_objects["list"].public_id
    order = x_objects["order"].public_id
    before = state(alpha)
    as_viewer = escape(refusal(require_orderer, x.viewer))
    not_a_decider = escape("Only your company's approvers and admins decide orders.")
    refused = [
        ("/cart/add/", {"product": bolt, "quantity": "1"}, as_viewer),
        (f"/cart/lines/{bolt}/", {"quantity": "3"}, as_viewer),
        (f"/cart/lines/{bolt}/remove/", {}, as_viewer),
        ("/cart/clear/", {}, as_viewer),
        ("/cart/save/", {"new_name": "Viewer list"}, as_viewer),
        ("/quick-order/", {"text": "BOLT 1"}, as_viewer),
        (
            "/checkout/",
            {"action": "place", "delivery_address": str(x.address.public_id)},
            as_viewer,
        ),
        ("/lists/", {"name": "Viewer list"}, as_viewer),
        (f"/lists/{saved}/rename/", {"name": "Viewer"}, as_viewer),
        (f"/lists/{saved}/items/", {"sku": "BOLT", "quantity": "1"}, as_viewer),
        (f"/lists/{saved}/cart/", {}, as_viewer),
        (f"/orders/{order}/approve/", {}, not_a_decider),
        (f"/orders/{order}/cancel/", {}, as_viewer),
        (f"/orders/{order}/reorder/", {"scope": "all"}, as_viewer),
    ]
    for path, data, message in refused:
        response = client.post(path, data)
        assert (response.status_code, message in body(response)) == (403, True), path
    htmx = client.post("/cart/add/", {"product": bolt, "quantity": "1"}, **HX)
    assert htmx.status_code == 403
    assert as_viewer in body(htmx)
    assert state(alpha) == before
    page = body(client.get("/catalogue/"))
    assert '<body class="portal-readonly"' in page
    product_page = body(client.get(f"/catalogue/{bolt}/"))
    assert "Add to cart" not in product_page
    assert f'data-testid="cannot-order">{as_viewer}</p>' in product_page
