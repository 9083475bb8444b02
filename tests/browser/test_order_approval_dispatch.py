"""End to end in Chromium: a buyer orders above their own limit; their approver approves on a
phone; the supplier validates, confirms and ships with a tracking number; the buyer sees the
tracking link, and every e-mail of the way was sent.

Each run provisions a portal of its own (unique sub-domain, archived afterwards), like the other
browser tests: a company on net terms with two delivery addresses, a buyer whose own order limit
is 100.00, an approver who may approve up to 5,000.00, a product in stock and two carriers. The
supplier's side is the portal's administrator (validates, confirms and ships).

The live server queues e-mails in the portal's outbox and hands them to Celery, which no worker
consumes here; the test delivers the order's outbox messages itself, through the same
``outbox_deliver`` the worker's task runs, into Django's in-memory mailbox, and reads them there.

Screenshots of every step go to ``$PORTICO_TEST_ARTIFACTS/order-approval-dispatch/`` (default
``test-artifacts/browser/``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import TEST_PASSWORD
from tests.browser.conftest import (
    archive_tenant,
    committed,
    screenshots,
    server_password_hash,
    watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
LIST_PRICE = Decimal("24.50")
QUANTITY = 6  # 6 × 24.50 = 147.00: above the buyer's own limit, within the approver's
ORDER_LIMIT = Decimal("100.00")
APPROVAL_LIMIT = Decimal("5000.00")
TRACKING_NUMBER = "JD014600006281"
TRACKING_TEMPLATE = "https://parcels.nordpaket.example/track?id={tracking}"
APPROVER_COMMENT = "Fine for the harbour refit, go ahead."
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass(frozen=True)
class Scenario:
    """The committed data of one run, and the texts the pages and e-mails should show."""

    subdomain: str
    supplier: str  # the portal's display name, as e-mails name it
    admin_email: str
    company: str
    buyer_email: str
    approver_email: str
    product_name: str
    sku: str
    carrier: str
    harbour_address: str  # the checkout's option label of the non-default address
    total: str  # as displayed, e.g. "€147.00"
    limit_reason: str  # why the order needs approval, in the service's words
    tracking_url: str


def _seed(subdomain: str, token: str) -> Scenario:
    """Provision the portal, its catalogue, carriers and the buyer company, through the
    services (the factory only for the two memberships and their limits)."""
    from django_tenants.utils import schema_context

    from branding.selectors import theme_for_current_tenant
    from commerce.catalog.rules import ProductInput
    from commerce.catalog.services import product_create, stock_set, warehouse_create
    from commerce.customers.choices import MemberRole, PaymentTerms
    from commerce.customers.services.addresses import address_create
    from commerce.customers.services.companies import CompanyInput, company_create
    from commerce.ordering.services import carrier_save
    from commerce.selectors import portal_settings
    from core.money import format_money
    from sso.choices import UserKind
    from sso.models import User
    from sso.services import user_create
    from tenants.services import SignupRequest, tenant_provision
    from tests.factories import MembershipFactory

    admin_email = f"admin@{subdomain}.test"
    tenant, admin = tenant_provision(
        actor=None,
        request=SignupRequest(
            f"Harbour Fittings {token}", subdomain, "Hanna Admin", admin_email, TEST_PASSWORD
        ),
    )
    with schema_context(tenant.schema_name):
        User.objects.filter(pk=admin.pk).update(password=server_password_hash(TEST_PASSWORD))
        admin = User.objects.get(pk=admin.pk)
        currency = portal_settings().currency

        sku = f"FLG-{token.upper()}-DN50"
        product = product_create(
            actor=admin,
            data=ProductInput(
                sku=sku,
                name="Stainless weld-neck flange DN50",
                description="EN 1092-1 type 11, PN16, 1.4571.",
                list_price=LIST_PRICE,
            ),
        )
        warehouse = warehouse_create(actor=admin, code="MAIN", name="Main warehouse")
        stock_set(actor=admin, product=product, quantities={warehouse: 250})

        carrier = carrier_save(
            actor=admin, name="Nordpaket Express", tracking_url_template=TRACKING_TEMPLATE
        )
        carrier_save(  # a second one, so the dispatcher has to choose
            actor=admin,
            name="Hafen Spedition",
            tracking_url_template="https://hafen-spedition.example/sendung/{tracking}",
        )

        company = company_create(
            actor=admin,
            data=CompanyInput(
                name=f"Kai Marine Services {token}",
                billing_line1="Am Sandtorkai 40",
                billing_postcode="20457",
                billing_city="Hamburg",
                billing_country="DE",
                payment_terms=PaymentTerms.NET,
                net_days=30,
                credit_limit="10000.00",
            ),
        )
        address_create(  # the first address: the default
            actor=admin,
            company=company,
            label="Head office",
            line1="Am Sandtorkai 40",
            postcode="20457",
            city="Hamburg",
            country="DE",
        )
        harbour = address_create(
            actor=admin,
            company=company,
            label="Harbour site",
            line1="Kaistraße 5",
            postcode="20459",
            city="Hamburg",
            country="DE",
        )

        def member(email: str, name: str, **membership: Any) -> Any:
            user = user_create(
                actor=admin, email=email, full_name=name, password=None, kind=UserKind.BUYER
            )
            User.objects.filter(pk=user.pk).update(password=server_password_hash(TEST_PASSWORD))
            MembershipFactory(user=user, company=company, **membership)
            return user

        buyer = member(
            f"bea.{token}@kaimarine.test",
            "Bea Buyer",
            role=MemberRole.BUYER,
            order_limit=ORDER_LIMIT,
        )
        approver = member(
            f"arne.{token}@kaimarine.test",
            "Arne Approver",
            role=MemberRole.APPROVER,
            approval_limit=APPROVAL_LIMIT,
        )
        supplier = theme_for_current_tenant().display_name

    return Scenario(
        subdomain=subdomain,
        supplier=supplier,
        admin_email=admin_email,
        company=company.name,
        buyer_email=buyer.email,
        approver_email=approver.email,
        product_name=product.name,
        sku=sku,
        carrier=carrier.name,
        harbour_address=f"{harbour.label}: {harbour.line1}, {harbour.postcode} {harbour.city}",
        total=format_money(LIST_PRICE * QUANTITY, currency),
        limit_reason=(
            f"The order is above your own limit of {format_money(ORDER_LIMIT, currency)}."
        ),
        tracking_url=TRACKING_TEMPLATE.replace("{tracking}", TRACKING_NUMBER),
    )


@pytest.fixture
def scenario(unique_subdomain: str, django_db_blocker: Any) -> Iterator[Scenario]:
    """A fresh portal with the data above; archived afterwards (schema kept)."""
    try:
        yield committed(django_db_blocker, lambda: _seed(unique_subdomain, unique_subdomain[3:]))
    finally:
        archive_tenant(django_db_blocker, unique_subdomain, "Browser end-to-end test finished.")


@pytest.fixture
def shot(artifacts_dir: Path) -> Callable[[Any, str], Path]:
    """``shot(page, "name")`` saves ``order-approval-dispatch/NN-name.png`` (old ones removed)."""
    return screenshots(artifacts_dir, "order-approval-dispatch")


def _deliver_order_emails(django_db_blocker: Any, subdomain: str, number: str) -> list[str]:
    """Deliver the outbox e-mails about order ``number`` (what the worker's task does) and
    return their statuses; they land in Django's in-memory mailbox (``mailoutbox``)."""

    def deliver() -> list[str]:
        from django_tenants.utils import schema_context

        from outbox.models import OutboxMessage
        from outbox.services import outbox_deliver
        from tenants.models import Tenant

        with schema_context(Tenant.objects.get(slug=subdomain).schema_name):
            ids = list(
                OutboxMessage.objects.filter(
                    kind="email",
                    payload__template="order_event",
                    payload__context__number=number,
                )
                .order_by("id")
                .values_list("id", flat=True)
            )
            return [outbox_deliver(message_id=pk) for pk in ids]

    return committed(django_db_blocker, deliver)


def _sign_in(page: Any, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _no_horizontal_overflow(page: Any) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth, document.body.scrollWidth]"
    )
    assert widths[0] <= widths[1], (
        f"{page.url} scrolls sideways: [html scrollWidth, innerWidth, body scrollWidth] = {widths}"
    )


def test_order_above_limit_is_approved_on_a_phone_then_shipped_with_tracking(
    portico_server: Any,
    page: Any,
    new_context: Any,
    shot: Callable[[Any, str], Path],
    scenario: Scenario,
    django_db_blocker: Any,
    mailoutbox: list[Any],
) -> None:
    s = scenario

    def url(path: str) -> str:
        return portico_server.url(path, subdomain=s.subdomain)

    # --- The buyer, at a desktop, orders above their own limit ---------------------------------
    buyer = new_context().new_page()
    problems = {"buyer": watch(buyer)}
    _sign_in(buyer, url("/login/?next=/catalogue/"), s.buyer_email)
    buyer.wait_for_url(url("/catalogue/"))
    card = buyer.locator(f'article.catalogue-card[data-sku="{s.sku}"]')
    card.get_by_role("link", name=s.product_name).click()
    buyer.wait_for_url(re.compile(re.escape(url("/catalogue/")) + UUID + "/$"))
    expect(buyer.get_by_role("heading", level=1)).to_have_text(s.product_name)

    buyer.get_by_label("Quantity (pcs)").fill(str(QUANTITY))
    buyer.get_by_role("button", name="Add to cart").click()
    added = buyer.locator("#order-box-status").get_by_role("status")
    expect(added).to_contain_text(f"{QUANTITY} × {s.product_name} in your cart.")
    shot(buyer, "buyer-product-added")

    added.get_by_role("link", name="View cart").click()
    buyer.wait_for_url(url("/cart/"))
    expect(buyer.get_by_test_id("cart-total")).to_have_text(s.total)
    buyer.get_by_role("link", name="Checkout").click()
    buyer.wait_for_url(url("/checkout/"))

    # The checkout says before placing that the order goes to the approver first;
    notice = buyer.get_by_test_id("approval-notice")
    expect(notice).to_have_text(
        f"This order goes to your company's approver first. {s.limit_reason}"
    )
    expect(buyer.get_by_test_id("payment")).to_have_text("Payment: On invoice, due in 30 days.")
    # choosing the harbour site re-checks the order (htmx) and keeps the notice.
    with buyer.expect_response(lambda r: r.url.endswith("/checkout/review/")) as review:
        buyer.get_by_label("Delivery address").select_option(label=s.harbour_address)
    assert review.value.status == 200
    expect(buyer.get_by_label("Delivery address")).to_have_value(re.compile(UUID))
    expect(buyer.get_by_test_id("checkout-total")).to_have_text(s.total)
    expect(notice).to_contain_text(s.limit_reason)
    shot(buyer, "buyer-checkout-approval-notice")

    buyer.get_by_role("button", name="Place order").click()
    buyer.wait_for_url(re.compile(re.escape(url("/orders/")) + UUID + "/$"))
    order_path = buyer.url.removeprefix(url(""))  # /orders/<id>/
    heading = buyer.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Order \d{4}-\d{6}$"))
    number = heading.inner_text().removeprefix("Order ")
    expect(buyer.get_by_role("status").filter(has_text="is placed")).to_have_text(
        f"Order {number} is placed and waits for your approver: {s.limit_reason}"
    )
    expect(buyer.get_by_test_id("status")).to_have_text("Waiting for your approver")
    expect(buyer.get_by_test_id("address")).to_contain_text("Harbour site")
    expect(buyer.get_by_test_id("decide")).to_have_count(0)  # nobody approves their own order
    shot(buyer, "buyer-order-waits-for-approval")

    # --- The approver decides on a phone ---------------------------------------------------------
    phone = new_context(**PHONE).new_page()
    problems["approver on a phone"] = watch(phone)
    _sign_in(phone, url("/login/?next=/catalogue/"), s.approver_email)
    phone.wait_for_url(url("/catalogue/"))
    phone.get_by_role("button", name="Menu").click()  # the nav is collapsed on a phone
    phone.get_by_role("navigation", name="Portal").get_by_role("link", name="Approvals").click()
    phone.wait_for_url(url("/approvals/"))
    waiting = phone.get_by_test_id("approvals").locator(f'li[data-number="{number}"]')
    expect(waiting).to_contain_text(s.total)
    expect(waiting).to_contain_text(s.limit_reason)
    expect(waiting).to_contain_text("Bea Buyer")
    _no_horizontal_overflow(phone)
    shot(phone, "phone-approvals")

    waiting.get_by_role("link", name=f"Order {number}").click()
    phone.wait_for_url(url(order_path))
    decide = phone.get_by_test_id("decide")
    expect(decide.get_by_role("heading")).to_have_text("Your approval is needed")
    decide.get_by_label("Comment (optional)").fill(APPROVER_COMMENT)
    approve = decide.get_by_role("button", name="Approve", exact=True)
    expect(approve).to_be_in_viewport()
    approve.tap()
    expect(phone.get_by_role("status").filter(has_text="approved")).to_have_text(
        f"Order {number} is approved and goes to the supplier."
    )
    phone.wait_for_url(url(order_path))
    expect(phone.get_by_test_id("status")).to_have_text("Received by the supplier")
    expect(phone.get_by_test_id("decide")).to_have_count(0)
    expect(phone.get_by_test_id("timeline")).to_contain_text(f"“{APPROVER_COMMENT}”")
    _no_horizontal_overflow(phone)
    shot(phone, "phone-order-approved")

    # --- The supplier validates, confirms and ships, at a desktop ------------------------------
    problems["supplier"] = watch(page)
    _sign_in(page, url("/login/"), s.admin_email)
    page.wait_for_url(url("/backoffice/"))
    nav_orders = page.get_by_test_id("nav-orders")
    expect(nav_orders).to_contain_text("1 waiting for validation")
    nav_orders.click()
    page.wait_for_url(url("/backoffice/orders/"))
    row = page.get_by_test_id("orders").get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text(s.company)
    expect(row).to_contain_text(s.total)
    expect(row).to_contain_text("Received")
    shot(page, "backoffice-orders")
    row.get_by_role("link", name=number).click()
    page.wait_for_url(url(f"/backoffice{order_path}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {number}")
    states = page.get_by_test_id("states")
    expect(states).to_contain_text("Received")
    expect(page.get_by_text("Approved by Arne Approver")).to_be_visible()

    actions = page.get_by_test_id("actions")
    actions.get_by_role("button", name="Validate").click()
    expect(page.get_by_role("status").filter(has_text="validated")).to_have_text(
        f"Order {number} is validated. Confirm it to reserve the stock."
    )
    expect(states).to_contain_text("Validation: approved")

    actions.get_by_role("button", name="Confirm and reserve stock").click()
    expect(page.get_by_role("status").filter(has_text="confirmed")).to_have_text(
        f"Order {number} is confirmed and its stock reserved."
    )
    expect(page.get_by_test_id("reservations")).to_contain_text(f"{QUANTITY} × {s.sku} in MAIN")

    ship = page.get_by_test_id("ship-form")
    ship.get_by_label("Carrier").select_option(label=s.carrier)
    ship.get_by_label("Tracking number").fill(TRACKING_NUMBER)
    expect(ship.get_by_label(re.compile(rf"^{re.escape(s.sku)} — "))).to_have_value(str(QUANTITY))
    shot(page, "backoffice-ship-form")
    ship.get_by_role("button", name="Record shipment").click()
    expect(page.get_by_role("status").filter(has_text="shipment")).to_have_text(
        f"The shipment of order {number} is recorded."
    )
    expect(states.locator(".badge").first).to_have_text("In dispatch")
    shipment = page.get_by_test_id("shipment")
    expect(shipment.get_by_role("link", name=TRACKING_NUMBER)).to_have_attribute(
        "href", s.tracking_url
    )
    shot(page, "backoffice-order-in-dispatch")

    # --- The buyer reloads the order: on its way, with the tracking link -----------------------
    buyer.reload()
    expect(buyer.get_by_test_id("status")).to_have_text("Shipped")
    tracking = buyer.get_by_test_id("tracking")
    expect(tracking).to_have_text(TRACKING_NUMBER)
    expect(tracking).to_have_attribute("href", s.tracking_url)
    expect(buyer.get_by_test_id("shipments")).to_contain_text(s.carrier)
    expect(buyer.get_by_test_id("timeline")).to_contain_text(
        f"Shipped with {s.carrier}, tracking {TRACKING_NUMBER}"
    )
    tracking.scroll_into_view_if_needed()
    shot(buyer, "buyer-order-shipped-tracking")

    # --- The e-mails: every one the order caused was sent, to the right person -----------------
    statuses = _deliver_order_emails(django_db_blocker, s.subdomain, number)
    assert statuses == ["delivered"] * 6, statuses
    sent = [(m.to, m.subject) for m in mailoutbox]
    assert sent == [
        ([s.buyer_email], f"Order {number} submitted"),
        ([s.approver_email], f"Order {number} needs your approval"),
        ([s.buyer_email], f"Order {number} approved"),
        ([s.buyer_email], f"Order {number} accepted by {s.supplier}"),
        ([s.buyer_email], f"Order {number} confirmed"),
        ([s.buyer_email], f"Order {number} is on its way"),
    ], sent
    to_approver, approved, on_its_way = mailoutbox[1], mailoutbox[2], mailoutbox[5]
    assert s.limit_reason in to_approver.body
    assert f"total {s.total}" in to_approver.body
    assert f"{order_path}\n" in to_approver.body  # "See the order: <portal>/orders/<id>/"
    assert APPROVER_COMMENT in approved.body
    assert f"{s.carrier}, tracking number {TRACKING_NUMBER}" in on_its_way.body
    assert f"Track the parcel: {s.tracking_url}\n" in on_its_way.body
    html = on_its_way.alternatives[0][0]
    assert f'<a href="{s.tracking_url}"' in html and "Track the parcel</a>" in html
    for message in mailoutbox:
        assert message.body.rstrip().endswith(f"— {s.supplier}, powered by Portico"), message.body

    # No script failed and no request was refused, for anyone.
    assert {who: found for who, found in problems.items() if found} == {}
