"""End to end in Chromium: a supplier invites a buyer; the buyer accepts, searches, and sees the
contract price that another company's buyer does not.

Each run provisions a portal of its own (unique sub-domain, archived afterwards) with two buyer
companies: A, which has a contract price and a price list for the valve, and B, which has
neither and pays the list price. Screenshots of every step go to
``$PORTICO_TEST_ARTIFACTS/invite-contract-prices/`` (default ``test-artifacts/browser/``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
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
LIST_PRICE = Decimal("12.50")
PRICE_LIST_PRICE = Decimal("9.80")  # company A's price list: the contract still wins
CONTRACT_PRICE = Decimal("7.25")
NEW_BUYER_PASSWORD = "Valve-Order-Desk-2026"
SEARCH_WORD = "valve"


@dataclass(frozen=True)
class Scenario:
    """The committed data of one run, and the texts buyers should (not) see."""

    subdomain: str
    admin_email: str
    company_a: str
    company_b: str
    buyer_b_email: str
    invitee_email: str
    product_name: str
    sku: str
    sku_fragment: str
    decoy_sku: str
    list_price: str  # as displayed, e.g. "€12.50"
    price_list_price: str
    contract_price: str
    contract_reason: str


def _date_label(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _seed(subdomain: str, token: str) -> Scenario:
    """Provision the portal and its catalogue, prices, companies and company B's buyer, through
    the services (the factories only for B's membership)."""
    from django_tenants.utils import schema_context

    from commerce.catalog.rules import ProductInput
    from commerce.catalog.services import product_create, stock_set, warehouse_create
    from commerce.customers.choices import MemberRole
    from commerce.customers.services import CompanyInput, company_create
    from commerce.pricing.services import (
        contract_price_create,
        price_list_create,
        price_list_item_set,
    )
    from commerce.selectors import portal_settings, portal_today
    from core.money import format_unit_price
    from sso.models import User
    from tenants.services import SignupRequest, tenant_provision
    from tests.factories import MembershipFactory, UserFactory

    admin_email = f"admin@{subdomain}.test"
    tenant, admin = tenant_provision(
        actor=None,
        request=SignupRequest(
            f"Valve Works {token}", subdomain, "Vera Admin", admin_email, TEST_PASSWORD
        ),
    )
    with schema_context(tenant.schema_name):
        User.objects.filter(pk=admin.pk).update(password=server_password_hash(TEST_PASSWORD))
        admin = User.objects.get(pk=admin.pk)
        settings_row = portal_settings()
        currency, today = settings_row.currency, portal_today(settings_row)

        sku = f"VLV-{token.upper()}-DN25"
        valve = product_create(
            actor=admin,
            data=ProductInput(
                sku=sku,
                name="Brass ball valve DN25",
                description="Full-bore brass ball valve with a lever handle, PN40.",
                list_price=LIST_PRICE,
                lead_time_days=3,
            ),
        )
        decoy = product_create(
            actor=admin,
            data=ProductInput(
                sku=f"CLP-{token.upper()}-S",
                name="Stainless hose clamp 20-32 mm",
                description="Worm-drive clamp for hoses.",
                list_price=Decimal("0.85"),
            ),
        )
        warehouse = warehouse_create(actor=admin, code="MAIN", name="Main warehouse")
        for product in (valve, decoy):
            stock_set(actor=admin, product=product, quantities={warehouse: 250})

        contract_list = price_list_create(
            actor=admin, name=f"Installers {token}", priority=10, currency=currency
        )
        price_list_item_set(
            actor=admin,
            price_list=contract_list,
            product=valve,
            min_quantity=1,
            unit_price=PRICE_LIST_PRICE,
        )

        def company(name: str, price_lists: list[Any]) -> Any:
            return company_create(
                actor=admin,
                data=CompanyInput(
                    name=name,
                    billing_line1="Hafenstraße 12",
                    billing_postcode="20457",
                    billing_city="Hamburg",
                    billing_country="DE",
                    price_lists=price_lists,
                ),
            )

        company_a = company(f"Nordwerk Installations {token}", [contract_list])
        company_b = company(f"Südhaus Plumbing {token}", [])
        valid_to = today + timedelta(days=180)
        contract_price_create(
            actor=admin,
            company=company_a,
            product=valve,
            unit_price=CONTRACT_PRICE,
            valid_from=today - timedelta(days=30),
            valid_to=valid_to,
        )

        buyer_b = UserFactory(email=f"bruno.{token}@suedhaus.test", full_name="Bruno Süd")
        User.objects.filter(pk=buyer_b.pk).update(password=server_password_hash(TEST_PASSWORD))
        MembershipFactory(user=buyer_b, company=company_b, role=MemberRole.BUYER)

    return Scenario(
        subdomain=subdomain,
        admin_email=admin_email,
        company_a=company_a.name,
        company_b=company_b.name,
        buyer_b_email=buyer_b.email,
        invitee_email=f"nina.{token}@nordwerk.test",
        product_name=valve.name,
        sku=sku,
        sku_fragment=f"{token.upper()}-DN",  # inside the SKU: only the SKU fragment search finds it
        decoy_sku=decoy.sku,
        list_price=format_unit_price(LIST_PRICE, currency),
        price_list_price=format_unit_price(PRICE_LIST_PRICE, currency),
        contract_price=format_unit_price(CONTRACT_PRICE, currency),
        contract_reason=f"Contract price until {_date_label(valid_to)}",
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
    """``shot(page, "name")`` saves ``invite-contract-prices/NN-name.png`` (old ones removed)."""
    return screenshots(artifacts_dir, "invite-contract-prices")


def _invitation_link(django_db_blocker: Any, subdomain: str, email: str) -> str:
    """The accept link of the invitation e-mail waiting in the portal's outbox for ``email``."""

    def read() -> str:
        from django_tenants.utils import schema_context

        from outbox.models import OutboxMessage
        from tenants.models import Tenant

        schema = Tenant.objects.get(slug=subdomain).schema_name
        with schema_context(schema):
            messages = [
                m.payload
                for m in OutboxMessage.objects.filter(kind="email").order_by("id")
                if m.payload.get("template") == "invitation" and m.payload.get("to") == [email]
            ]
        assert len(messages) == 1, f"expected one invitation e-mail to {email}, got {messages}"
        return str(messages[0]["context"]["link"])

    return committed(django_db_blocker, read)


def _new_member(django_db_blocker: Any, subdomain: str, email: str) -> tuple[str, str, bool]:
    """(company name, role, invitation used up) of the member ``email`` as the database has it."""

    def read() -> tuple[str, str, bool]:
        from django_tenants.utils import schema_context

        from commerce.customers.models import Invitation, Membership
        from tenants.models import Tenant

        with schema_context(Tenant.objects.get(slug=subdomain).schema_name):
            member = Membership.objects.select_related("company").get(user__email=email)
            used = Invitation.objects.get(email=email).accepted_at is not None
            return member.company.name, str(member.role), used

    return committed(django_db_blocker, read)


def _sign_in(page: Any, url: str, email: str, password: str) -> None:
    page.goto(url)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _search(page: Any, text: str, expected_count: int) -> None:
    """Type into the catalogue's search box and submit (htmx swaps the results in)."""
    page.get_by_role("searchbox", name="Search").fill(text)
    page.locator("form[role=search]").get_by_role("button", name="Search").click()
    plural = "" if expected_count == 1 else "s"
    expect(page.get_by_test_id("result-count")).to_have_text(
        f"{expected_count} product{plural} for “{text}”"
    )
    expect(page).to_have_url(re.compile(rf"[?&]q={re.escape(text)}(&|$)"))


def _no_horizontal_overflow(page: Any) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth, document.body.scrollWidth]"
    )
    assert widths[0] <= widths[1], (
        f"{page.url} scrolls sideways: [html scrollWidth, innerWidth, body scrollWidth] = {widths}"
    )


def test_invited_buyer_sees_contract_prices_another_company_does_not(
    portico_server: Any,
    page: Any,
    new_context: Any,
    shot: Callable[[Any, str], Path],
    scenario: Scenario,
    django_db_blocker: Any,
) -> None:
    s = scenario

    def url(path: str) -> str:
        return portico_server.url(path, subdomain=s.subdomain)

    problems = {"supplier": watch(page)}

    # Given the supplier's administrator, signed in to the back office,
    _sign_in(page, url("/login/"), s.admin_email, TEST_PASSWORD)
    page.wait_for_url(url("/backoffice/"))

    # when they open company A from the customer list
    page.get_by_role("navigation").get_by_role("link", name="Customers").click()
    page.wait_for_url(url("/backoffice/companies/"))
    expect(page.get_by_role("link", name=s.company_b)).to_be_visible()
    shot(page, "backoffice-customers")
    page.get_by_role("link", name=s.company_a).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(s.company_a)
    expect(page.get_by_text("Nobody yet: invite the company's buyers.")).to_be_visible()
    shot(page, "backoffice-company-a")

    # and invite a new buyer,
    page.get_by_role("link", name="Invite", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invite someone to {s.company_a}")
    page.get_by_label("E-mail").fill(s.invitee_email)
    page.get_by_label("Role").select_option(label="Buyer")
    shot(page, "backoffice-invite-form")
    page.get_by_role("button", name="Send invitation").click()

    # the company page confirms it and lists the pending invitation,
    expect(page.get_by_role("heading", level=1)).to_have_text(s.company_a)
    expect(page.get_by_text("The invitation is on its way.")).to_be_visible()
    pending = (
        page.get_by_role("listitem")
        .filter(has_text=s.invitee_email)
        .filter(has=page.get_by_role("button", name="Withdraw"))
    )
    expect(pending).to_contain_text("as Buyer, until")
    expect(page.get_by_test_id("audit-trail")).to_contain_text(s.invitee_email)
    shot(page, "backoffice-invitation-pending")

    # and the e-mail waiting in the outbox carries a link to the portal.
    link = _invitation_link(django_db_blocker, s.subdomain, s.invitee_email)
    assert re.fullmatch(re.escape(url("/invitations/")) + r"[\w-]{40,}/", link), link

    # The invitee opens it in a browser of their own, names themselves and picks a password,
    buyer_a = new_context().new_page()
    problems["buyer A"] = watch(buyer_a)
    buyer_a.goto(link)
    expect(buyer_a.get_by_role("heading", level=1)).to_have_text(f"Join {s.company_a}")
    expect(buyer_a.get_by_test_id("invitee-email")).to_have_text(s.invitee_email)
    buyer_a.get_by_label("Your name").fill("Nina Nord")
    buyer_a.get_by_label("Choose a password").fill(NEW_BUYER_PASSWORD)
    shot(buyer_a, "invitation-accept-form")
    buyer_a.get_by_role("button", name="Create my account").click()

    # and lands in the catalogue, signed in as a buyer of company A.
    buyer_a.wait_for_url(url("/catalogue/"))
    expect(buyer_a.locator("#portal-nav")).to_contain_text(f"{s.company_a} · {s.invitee_email}")
    expect(buyer_a.get_by_test_id("result-count")).to_have_text("2 products")
    assert _new_member(django_db_blocker, s.subdomain, s.invitee_email) == (
        s.company_a,
        "buyer",
        True,
    )
    shot(buyer_a, "buyer-a-catalogue")

    # Searching by a word finds the valve at company A's contract price, with the reason;
    card = buyer_a.locator(f'article.catalogue-card[data-sku="{s.sku}"]')
    _search(buyer_a, SEARCH_WORD, 1)
    expect(card.get_by_role("heading")).to_have_text(s.product_name)
    expect(card.get_by_test_id("price")).to_have_text(s.contract_price)
    expect(card.get_by_test_id("price-reason")).to_have_text(s.contract_reason)
    expect(buyer_a.locator(f'[data-sku="{s.decoy_sku}"]')).to_have_count(0)
    shot(buyer_a, "buyer-a-search-word")

    # so does a fragment from the middle of its SKU.
    _search(buyer_a, s.sku_fragment, 1)
    expect(card.get_by_test_id("price")).to_have_text(s.contract_price)
    expect(card.get_by_test_id("price-reason")).to_have_text(s.contract_reason)
    shot(buyer_a, "buyer-a-search-sku-fragment")

    # The product page shows the same price and reason (neither the price list nor the list
    # price, which the contract overrides).
    card.get_by_role("link", name=s.product_name).click()
    buyer_a.wait_for_url(re.compile(re.escape(url("/catalogue/")) + r"[0-9a-f-]{36}/$"))
    expect(buyer_a.get_by_role("heading", level=1)).to_have_text(s.product_name)
    expect(buyer_a.get_by_test_id("sku")).to_have_text(s.sku)
    expect(buyer_a.get_by_test_id("price")).to_have_text(s.contract_price)
    expect(buyer_a.get_by_test_id("price-reason")).to_have_text(s.contract_reason)
    expect(buyer_a.get_by_test_id("breaks")).to_have_count(0)
    product_text = buyer_a.locator("main").inner_text()
    assert s.price_list_price not in product_text and s.list_price not in product_text
    shot(buyer_a, "buyer-a-product-page")

    # The invitation link is used up now.
    again = new_context().new_page()
    response = again.goto(link)
    assert response is not None and response.status == 410
    expect(again.get_by_text("This invitation was already used.")).to_be_visible()

    # The supplier sees the new buyer among company A's members.
    page.reload()
    member_row = page.get_by_role("row").filter(has_text=s.invitee_email)
    expect(member_row).to_contain_text("Nina Nord")
    expect(member_row).to_contain_text("Buyer")
    expect(pending).to_have_count(0)  # no longer pending
    shot(page, "backoffice-company-a-new-member")

    # Company B's buyer, in a browser of their own, finds the same valve at the list price,
    buyer_b = new_context().new_page()
    problems["buyer B"] = watch(buyer_b)
    _sign_in(buyer_b, url("/login/?next=/catalogue/"), s.buyer_b_email, TEST_PASSWORD)
    buyer_b.wait_for_url(url("/catalogue/"))
    expect(buyer_b.locator("#portal-nav")).to_contain_text(f"{s.company_b} · {s.buyer_b_email}")
    _search(buyer_b, SEARCH_WORD, 1)
    card_b = buyer_b.locator(f'article.catalogue-card[data-sku="{s.sku}"]')
    expect(card_b.get_by_test_id("price")).to_have_text(s.list_price)
    expect(card_b.get_by_test_id("price-reason")).to_have_text("List price")
    shot(buyer_b, "buyer-b-search-list-price")

    # and nothing of company A's prices appears anywhere, on the catalogue or the product page.
    def assert_no_contract_terms(html: str) -> None:
        for secret in (s.contract_price, s.price_list_price, "Contract price", "Installers"):
            assert secret not in html, f"{secret!r} shows on company B's page {buyer_b.url}"

    assert_no_contract_terms(buyer_b.content())
    card_b.get_by_role("link", name=s.product_name).click()
    expect(buyer_b.get_by_role("heading", level=1)).to_have_text(s.product_name)
    expect(buyer_b.get_by_test_id("price")).to_have_text(s.list_price)
    expect(buyer_b.get_by_test_id("price-reason")).to_have_text("List price")
    assert_no_contract_terms(buyer_b.content())
    shot(buyer_b, "buyer-b-product-page")

    # On a phone, buyer A's catalogue fits the screen: nothing scrolls sideways.
    phone = new_context(**PHONE).new_page()
    problems["buyer A on a phone"] = watch(phone)
    _sign_in(phone, url("/login/?next=/catalogue/"), s.invitee_email, NEW_BUYER_PASSWORD)
    phone.wait_for_url(url("/catalogue/"))
    expect(phone.get_by_role("button", name="Menu")).to_be_visible()  # the nav is collapsed
    _no_horizontal_overflow(phone)
    shot(phone, "phone-buyer-a-catalogue")
    _search(phone, SEARCH_WORD, 1)
    phone_card = phone.locator(f'article.catalogue-card[data-sku="{s.sku}"]')
    expect(phone_card.get_by_test_id("price")).to_have_text(s.contract_price)
    expect(phone_card).to_be_in_viewport()
    _no_horizontal_overflow(phone)
    shot(phone, "phone-buyer-a-search")
    phone_card.get_by_role("link", name=s.product_name).click()
    expect(phone.get_by_test_id("price-reason")).to_have_text(s.contract_reason)
    _no_horizontal_overflow(phone)
    shot(phone, "phone-buyer-a-product-page")

    # No script failed and no request was refused, for anyone.
    assert {who: found for who, found in problems.items() if found} == {}
