"""Take the README tour screenshots (1280×800 PNGs, two 390×844) into docs/screenshots/.

    # against the running demo (`make run`), with its operator login:
    .venv/bin/python scripts/screenshots.py --url http://portico.localhost:8000

    # only some of them (01–06 sign-up, 07–13 catalogue, 14–21 ordering):
    .venv/bin/python scripts/screenshots.py --url http://portico.localhost:8000 --only 07,08,13

    # or start a server of its own on DATABASE_URL (--prepare migrates, bootstraps and seeds it):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portico .venv/bin/python scripts/screenshots.py

The tour signs up a supplier of its own ("Larkspur Tools", sub-domain ``larkspur``, or
``larkspur-2``… when taken), brands it, and signs in to the operator console as
PORTICO_OPERATOR_EMAIL / PORTICO_OPERATOR_PASSWORD (the defaults of `make run`).
The catalogue tour (07–13) needs the demo seed (`portico_seed_demo`): it signs in to Northwind as
its buyer at Brandt Metallbau and as its administrator, and uploads a small products CSV with one
bad row (the import stops at the preview, so nothing is applied).
The ordering tour (14–21) needs the demo seed's orders too: as Brandt's buyer it fills the cart
with products it picks from the catalogue API (one at ¾ of a pallet, one below its minimum), pastes
a quick order with two bad lines, reviews the checkout and looks at the order history and the
delivered order; Brandt's approver opens the order waiting for approval on a phone; Northwind's
administrator opens the order queue and fills in the ship form of the confirmed order. It places,
approves and ships nothing: the buyer's cart is emptied before and after (on a running demo,
whatever that buyer had in the cart is gone), the checkout is only reviewed, the approval and ship
forms are not sent.
Chromium is Debian's /usr/bin/chromium; `playwright install` is never needed.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.live_server import LiveServer  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 800}
COMPANY = "Larkspur Tools"
SLUG = "larkspur"
PRIMARY, ACCENT = "#3d2c8d", "#0b6e99"
PASSWORD = "Larkspur-tour-2026"  # noqa: S105 (a demo login the tour creates)
DEFAULT_OPERATOR = ("ops@portico.localhost", "Operator-demo-2026")  # `make run`'s defaults
PHONE = {"width": 390, "height": 844}
# The demo seed (platform/control_plane/demo*.py): Northwind, its showcase buyer company (Gold
# price list, contract prices) and their logins.
DEMO_PORTAL = "northwind"
DEMO_PASSWORD = "Demo-portal-2026"  # noqa: S105 (the demo seed's published password)
DEMO_BUYER = "buyer@brandt-metallbau.example"
DEMO_ADMIN = "admin@northwind.example"
DEMO_COMPANY = "Brandt Metallbau GmbH"
DEMO_SKU_FRAGMENT = "M10"  # part of a SKU: carriage bolts, hex bolts, nuts… in M10
DEMO_BREAKS_SKU = "NW-PL-CP-180"  # in stock, on the Gold list with breaks from 10 and 50
DEMO_CONTRACT_SKU = "NW-DB-WD-12"  # Brandt's contract price that ends on a date
# The ordering tour: Brandt's approver (limit 5,000; the company wants approval above 2,500 and a
# PO number on every order) and what the tour types in. No product has the unknown SKU.
DEMO_APPROVER = "approver@brandt-metallbau.example"
DEMO_UNKNOWN_SKU = "NW-ZZ-404"
DEMO_BAD_QUANTITY = "2.5"  # not a whole number: quick order reports the line
DEMO_CARRIER = "DHL Parcel"
DEMO_TRACKING = "00340434161094016008"  # typed into the ship form, never sent
CHECKOUT_AIM = 2900  # the cart's total at checkout: above Brandt's approval threshold of 2,500
CATALOGUE_PAGES = 6  # API pages of in-stock products to choose the tour's products from
STOCK_PROBLEMS = ("out_of_stock", "partly_in_stock", "ships_later")
# A products CSV with one bad row (a list price that is not a number): the preview lists it.
BAD_PRODUCTS_CSV = (
    "sku,name,category,unit,pack_size,list_price,active\n"
    "NW-TOUR-001,Hex key set 1.5–10 mm,Tools > Hand tools > Spanners,set,1,18.90,yes\n"
    "NW-TOUR-002,Ratchet 1/2 in with 72 teeth,Tools > Hand tools > Spanners,piece,1,42.50,yes\n"
    "NW-TOUR-003,Torque wrench 40–200 Nm,Tools > Hand tools > Spanners,piece,1,12O.00,yes\n"
    "NW-TOUR-004,Socket set 1/2 in (24 pieces),Tools > Hand tools > Spanners,set,1,64.00,yes\n"
)


class Site:
    """Where the tour runs: the control plane's origin and how to reach a portal."""

    def __init__(self, origin: str, base_domain: str) -> None:
        parts = urlsplit(origin)
        self.scheme, self.public_host = parts.scheme, parts.hostname or "portico.localhost"
        self.port_suffix = f":{parts.port}" if parts.port else ""
        self.base_domain = base_domain

    def url(self, path: str = "/", subdomain: str | None = None) -> str:
        host = self.public_host if subdomain is None else f"{subdomain}.{self.base_domain}"
        return f"{self.scheme}://{host}{self.port_suffix}{path}"


def make_logo(path: Path) -> Path:
    """A 240×72 wordmark: a purple square with a white spark, and the name."""
    image = Image.new("RGB", (240, 72), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 68, 68), radius=14, fill=PRIMARY)
    draw.polygon(
        [(36, 14), (44, 32), (60, 36), (44, 40), (36, 58), (28, 40), (12, 36), (28, 32)],
        fill="white",
    )
    try:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.truetype(
            "DejaVuSans-Bold.ttf", 26
        )
    except OSError:
        font = ImageFont.load_default(size=26)
    draw.text((80, 20), "Larkspur", fill=PRIMARY, font=font)
    image.save(path, format="PNG")
    return path


def free_subdomain(page: Page, site: Site) -> str:
    """``larkspur``, or the first of ``larkspur-2``, ``larkspur-3``… the platform says is free."""
    for n in range(1, 50):
        slug = SLUG if n == 1 else f"{SLUG}-{n}"
        # fetch() from the page: Chromium resolves *.localhost itself, Playwright's Node does not
        answer = page.evaluate(
            "async url => (await fetch(url)).text()",
            site.url(f"/signup/check-subdomain?subdomain={slug}"),
        )
        if 'data-available="true"' in answer:
            return slug
    raise SystemExit("no free larkspur-N sub-domain left: archive some tour portals")


SIGNUP_SHOTS = {f"{n:02d}" for n in range(1, 7)}
CATALOGUE_SHOTS = {f"{n:02d}" for n in range(7, 14)}
ORDERING_SHOTS = {f"{n:02d}" for n in range(14, 22)}


class Camera:
    """Numbered screenshots into ``out``, keeping only those ``only`` names (all when empty)."""

    def __init__(self, browser: Browser, out: Path, only: set[str]) -> None:
        self.browser, self.out, self.only = browser, out, only
        self.shots: list[Path] = []

    def shoot(self, page: Page, number: int, name: str) -> None:
        if self.only and f"{number:02d}" not in self.only:
            return
        path = self.out / f"{number:02d}-{name}.png"
        page.screenshot(path=path)  # the viewport, as a visitor sees it
        self.shots.append(path)
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    def wants(self, *numbers: int) -> bool:
        """Whether any of these shots is to be taken (every shot when ``only`` is empty)."""
        return not self.only or any(f"{n:02d}" in self.only for n in numbers)

    def new_page(self, viewport: dict[str, int] = VIEWPORT) -> Page:
        context = self.browser.new_context(viewport=viewport, locale="en-GB")  # type: ignore[arg-type]
        context.set_default_timeout(20_000)
        context.set_default_navigation_timeout(90_000)
        return context.new_page()


def sign_in(page: Page, site: Site, subdomain: str, email: str, password: str, to: str) -> None:
    page.goto(site.url(f"/login/?next={to}", subdomain=subdomain))
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{to}")


def tour(camera: Camera, site: Site, operator: tuple[str, str]) -> None:
    """01–06: a supplier signs up, lands in its back office, brands its portal; the operator."""
    new_page = camera.new_page
    shot = iter(range(1, 7))

    def shoot(page: Page, name: str) -> None:
        camera.shoot(page, next(shot), name)

    page = new_page()
    page.goto(site.url("/"))
    expect(page.get_by_role("link", name="Start your portal").first).to_be_visible()
    shoot(page, "control-plane-landing")

    slug = free_subdomain(page, site)
    page.goto(site.url("/signup/"))
    page.get_by_label("Company name").fill(COMPANY if slug == SLUG else f"{COMPANY} {slug[9:]}")
    page.locator("#id_subdomain").fill(slug)
    expect(page.locator("#subdomain-status [data-available=true]")).to_be_visible()
    page.get_by_label("Your name").fill("Lena Park")
    page.get_by_label("Work e-mail").fill(f"lena@{slug}.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Company name").focus()
    shoot(page, "signup-subdomain-available")

    page.get_by_role("button", name="Create my portal").click()
    page.wait_for_url("**/backoffice/?welcome=1")
    expect(page.get_by_test_id("checklist")).to_be_visible()
    shoot(page, "backoffice-first-run-checklist")

    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Theme").click()
    page.get_by_label("Primary colour").fill(PRIMARY)
    page.get_by_label("Accent colour").fill(ACCENT)
    page.get_by_label("Login headline").fill("Larkspur trade portal")
    page.get_by_label("Login message").fill(
        "Hand tools and workshop supplies at your contract prices. Order by 3 pm for next-day "
        "delivery."
    )
    with tempfile.TemporaryDirectory() as tmp:
        page.get_by_label("Logo (PNG, JPEG or WebP, up to 2 MB)").set_input_files(
            make_logo(Path(tmp) / "larkspur.png")
        )
        page.get_by_role("button", name="Save theme").click()
    expect(page.get_by_role("status")).to_have_text("Your portal's theme is saved.")
    page.get_by_label("Login headline").fill("Welcome to Larkspur")  # the preview follows
    expect(page.get_by_test_id("theme-preview")).to_contain_text("Welcome to Larkspur")
    shoot(page, "theme-live-preview")

    buyer = new_page()
    buyer.goto(site.url("/login/", subdomain=slug), wait_until="load")
    expect(buyer.get_by_role("button", name="Sign in")).to_be_visible()
    shoot(buyer, "branded-buyer-login")

    ops = new_page()
    ops.goto(site.url("/login/?next=/console/"))
    ops.get_by_label("E-mail").fill(operator[0])
    ops.get_by_label("Password").fill(operator[1])
    ops.get_by_role("button", name="Sign in").click()
    ops.wait_for_url("**/console/")
    expect(ops.get_by_role("heading", name="Tenants")).to_be_visible()
    shoot(ops, "operator-console-tenants")


def catalogue_tour(camera: Camera, site: Site) -> None:
    """07–13: the demo's Northwind portal, as its buyer at Brandt Metallbau and as its admin."""
    buyer = camera.new_page()
    sign_in(buyer, site, DEMO_PORTAL, DEMO_BUYER, DEMO_PASSWORD, "/catalogue/")
    expect(buyer.get_by_test_id("result-count")).to_be_visible()
    contract = buyer.get_by_test_id("price-reason").filter(has_text="Contract price")
    expect(contract.first).to_be_visible()
    buyer.wait_for_load_state("networkidle")  # the thumbnails
    camera.shoot(buyer, 7, "buyer-catalogue-grid")

    buyer.get_by_label("Search").fill(DEMO_SKU_FRAGMENT)
    buyer.get_by_role("button", name="Search").click()
    expect(buyer.get_by_test_id("result-count")).to_contain_text(f"for “{DEMO_SKU_FRAGMENT}”")
    buyer.wait_for_load_state("networkidle")
    camera.shoot(buyer, 8, "buyer-search-sku-fragment")

    buyer.goto(site.url(f"/catalogue/?q={DEMO_BREAKS_SKU}", subdomain=DEMO_PORTAL))
    buyer.locator(f"[data-sku='{DEMO_BREAKS_SKU}'] a.stretched-link").click()
    expect(buyer.get_by_test_id("breaks")).to_be_visible()
    buyer.get_by_label("Price for quantity").fill("20")  # past the first break
    buyer.get_by_role("button", name="Show price").click()
    expect(buyer.get_by_test_id("price-reason")).to_contain_text("for 20")
    buyer.wait_for_load_state("networkidle")
    camera.shoot(buyer, 9, "buyer-product-page")

    phone = camera.new_page(PHONE)
    sign_in(phone, site, DEMO_PORTAL, DEMO_BUYER, DEMO_PASSWORD, "/catalogue/")
    expect(phone.get_by_test_id("result-count")).to_be_visible()
    phone.wait_for_load_state("networkidle")
    camera.shoot(phone, 10, "buyer-catalogue-phone")

    admin = camera.new_page()
    sign_in(admin, site, DEMO_PORTAL, DEMO_ADMIN, DEMO_PASSWORD, "/backoffice/")
    admin.goto(site.url("/backoffice/companies/", subdomain=DEMO_PORTAL))
    admin.get_by_role("link", name=DEMO_COMPANY).first.click()
    expect(admin.get_by_test_id("audit-trail")).to_be_visible()
    camera.shoot(admin, 11, "backoffice-company")

    admin.goto(site.url("/backoffice/catalogue/imports/", subdomain=DEMO_PORTAL))
    admin.get_by_label("The file contains").select_option(label="Products")
    admin.get_by_label("CSV file").set_input_files(
        {"name": "hand-tools.csv", "mimeType": "text/csv", "buffer": BAD_PRODUCTS_CSV.encode()}
    )
    admin.get_by_role("button", name="Upload and check").click()
    expect(admin.get_by_test_id("errors")).to_contain_text("row ")
    camera.shoot(admin, 12, "backoffice-import-preview")

    admin.goto(site.url("/backoffice/pricing/check/", subdomain=DEMO_PORTAL))
    admin.get_by_label("Company").select_option(label=DEMO_COMPANY)
    admin.get_by_label("SKU").fill(DEMO_CONTRACT_SKU)
    admin.get_by_label("Quantity").fill("10")
    admin.get_by_role("button", name="Check").click()
    expect(admin.get_by_test_id("price-quote")).to_contain_text("Why:")
    camera.shoot(admin, 13, "backoffice-price-check")


# The buyer's products as the catalogue API gives them (list, then each product's detail with
# its ordering rules), fetched from the page: the session's cookie goes along.
FIND_PRODUCTS_JS = """
async pages => {
  const found = [];
  for (let n = 1; n <= pages; n++) {
    const answer = await fetch(`/api/v1/catalogue/products?in_stock=true&page=${n}`);
    if (!answer.ok) break;
    const list = await answer.json();
    const details = await Promise.all(list.results.map(async item =>
      (await fetch(`/api/v1/catalogue/products/${item.id}`)).json()));
    found.push(...details);
    if (!list.next) break;
  }
  return found;
}
"""
# A POST as the page's own htmx forms send it (the CSRF token from the page's hx-headers).
POST_JS = """
async ([path, fields]) => {
  const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
  const answer = await fetch(path, {
    method: "POST",
    headers: {"X-CSRFToken": token, "HX-Request": "true"},
    body: new URLSearchParams(fields),
  });
  return answer.status;
}
"""


def find_products(page: Page) -> list[dict[str, Any]]:
    """The signed-in buyer's orderable products that are in stock ("In stock": 20 or more free
    units), with price, minimum, multiple and pallet quantity."""
    found = page.evaluate(FIND_PRODUCTS_JS, CATALOGUE_PAGES)
    return [
        p
        for p in found
        if p.get("availability", {}).get("code") == "in_stock" and p["price"]["orderable"]
    ]


def unit_price(product: dict[str, Any]) -> float:
    return float(product["price"]["unit_price"])


def three_quarters_of_a_pallet(product: dict[str, Any]) -> int | None:
    """A valid quantity of about ¾ of a pallet, which the cart offers to round up to a full
    pallet (from half a pallet over, when the full pallet is a valid quantity), or None."""
    pallet, step = product["pallet_quantity"], product["order_multiple"]
    if not pallet or pallet % step:
        return None
    quantity = pallet * 3 // 4 // step * step
    if quantity < product["min_order_qty"] or quantity % pallet < pallet / 2:
        return None
    return quantity


def post(page: Page, path: str, **fields: str) -> None:
    status = page.evaluate(POST_JS, [path, fields])
    if status >= 400:
        raise SystemExit(f"POST {path} {fields} answered {status}")


def scroll_to_top(target: Any, margin: int = 16) -> None:
    """Scroll so that ``target``'s card starts ``margin`` pixels below the top of the window."""
    target.evaluate(
        "(el, margin) => window.scrollTo(0, (el.closest('.card') || el)"
        ".getBoundingClientRect().top + window.scrollY - margin)",
        margin,
    )


def empty_cart(page: Page, site: Site) -> None:
    page.goto(site.url("/cart/", subdomain=DEMO_PORTAL))
    if page.get_by_test_id("empty-cart").count() == 0:
        page.get_by_role("button", name="Empty the cart").click()
    expect(page.get_by_test_id("empty-cart")).to_be_visible()


def cart_line(page: Page, product: dict[str, Any]) -> Any:
    return page.get_by_test_id("cart").locator(f"li.portal-line[data-sku='{product['sku']}']")


def has_stock_problem(line: Any) -> bool:
    return any(line.locator(f"[data-code={code}]").count() for code in STOCK_PROBLEMS)


def fill_cart(page: Page, site: Site, products: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A line at ¾ of a pallet (typed into the cart, which re-totals live and offers the full
    pallet) and a line below its product's minimum; returns the two products used."""
    pallets = sorted(
        (p for p in products if three_quarters_of_a_pallet(p)),
        key=lambda p: (p["pallet_quantity"] // p["order_multiple"], -unit_price(p)),
    )
    pallet_product = None
    for candidate in pallets[:8]:
        # First a full pallet: when the stock covers it, the offer to round up is honest.
        post(
            page,
            "/cart/add/",
            product=candidate["id"],
            quantity=str(candidate["pallet_quantity"]),
        )
        page.goto(site.url("/cart/", subdomain=DEMO_PORTAL))
        if not has_stock_problem(cart_line(page, candidate)):
            pallet_product = candidate
            break
        post(page, f"/cart/lines/{candidate['id']}/remove/")
    if pallet_product is None:
        raise SystemExit("no in-stock product with a full pallet free: is the demo seeded?")
    minimum_product = next(
        (p for p in products if p["min_order_qty"] > 1 and p["id"] != pallet_product["id"]),
        None,
    )
    if minimum_product is None:
        raise SystemExit("no in-stock product with a minimum order above 1")
    post(
        page,
        "/cart/add/",
        product=minimum_product["id"],
        quantity=str(minimum_product["min_order_qty"] // 2),
    )
    page.goto(site.url("/cart/", subdomain=DEMO_PORTAL))
    # The buyer types ¾ of a pallet: the total follows without a reload, the offer appears.
    total = page.get_by_test_id("cart-total")
    before = total.inner_text()
    box = cart_line(page, pallet_product).locator("input[name=quantity]")
    box.fill(str(three_quarters_of_a_pallet(pallet_product)))
    box.press("Tab")
    expect(total).not_to_have_text(before)
    line = cart_line(page, pallet_product)
    expect(line.locator("[data-code=pallet_rounding]")).to_be_visible()
    expect(line.get_by_role("button", name="Round up to")).to_be_visible()
    below = cart_line(page, minimum_product)
    expect(below.locator("[data-code=below_minimum]")).to_be_visible()
    return [pallet_product, minimum_product]


def quick_order_text(
    products: list[dict[str, Any]], in_cart: list[dict[str, Any]], cart_total: float
) -> str:
    """Two good lines that take the cart above the approval threshold (CHECKOUT_AIM), a line
    with an unknown SKU and one with a quantity that is not a whole number."""
    taken = {p["id"] for p in in_cart}
    others = sorted(  # sold by the piece: any whole quantity is valid
        (p for p in products if p["id"] not in taken and p["order_multiple"] == 1),
        key=unit_price,
        reverse=True,
    )
    if len(others) < 3:
        raise SystemExit("fewer than 3 in-stock products sold by the piece: is the demo seeded?")
    good, bad_quantity = others[:2], others[2]
    share = max(CHECKOUT_AIM - cart_total, 0) / len(good)
    # At most 20: "In stock" means 20 or more free units.
    quantities = [min(20, max(1, math.ceil(share / unit_price(p)))) for p in good]
    return "\n".join(
        [
            f"{good[0]['sku']} {quantities[0]}",
            f"{DEMO_UNKNOWN_SKU} 5",
            f"{good[1]['sku']} {quantities[1]}",
            f"{bad_quantity['sku']} {DEMO_BAD_QUANTITY}",
        ]
    )


def money_value(text: str) -> float:
    """``€1,234.50`` or ``EUR 1,234.50`` → 1234.5."""
    return float("".join(c for c in text if c.isdigit() or c == "."))


def ordering_tour(camera: Camera, site: Site) -> None:
    """14–21: Brandt Metallbau's buyer, approver and Northwind's back office, on the demo's
    orders. Nothing is placed, approved or shipped: the buyer's cart is emptied before and after,
    the checkout is only reviewed, the ship form is filled in but not sent."""
    if camera.wants(14, 15, 16, 17, 18):
        buyer = camera.new_page()
        sign_in(buyer, site, DEMO_PORTAL, DEMO_BUYER, DEMO_PASSWORD, "/cart/")
        if camera.wants(14, 15, 16):
            empty_cart(buyer, site)
            try:
                buyer_cart_tour(camera, site, buyer)
            finally:
                empty_cart(buyer, site)
        if camera.wants(17, 18):
            buyer_orders_tour(camera, site, buyer)
    if camera.wants(19):
        approver_tour(camera, site)
    if camera.wants(20, 21):
        backoffice_orders_tour(camera, site)


def buyer_cart_tour(camera: Camera, site: Site, buyer: Page) -> None:
    """14–16: the cart with its problems and fixes, a quick order, the checkout reviewed."""
    buyer.goto(site.url("/catalogue/", subdomain=DEMO_PORTAL))
    products = find_products(buyer)
    in_cart = fill_cart(buyer, site, products)
    buyer.wait_for_load_state("networkidle")
    camera.shoot(buyer, 14, "buyer-cart-problems-fixes")

    # The fixes, one click each: a full pallet, the minimum.
    for _ in in_cart:
        fix = buyer.get_by_test_id("fix").first
        count = buyer.get_by_test_id("fix").count()
        fix.click()
        expect(buyer.get_by_test_id("fix")).to_have_count(count - 1)
    cart_total = money_value(buyer.get_by_test_id("cart-total").inner_text())

    buyer.goto(site.url("/quick-order/", subdomain=DEMO_PORTAL))
    buyer.get_by_label("SKU and quantity, one per line").fill(
        quick_order_text(products, in_cart, cart_total)
    )
    buyer.get_by_role("button", name="Add to cart").click()
    expect(buyer.get_by_test_id("quick-result")).to_contain_text("2 lines added to your cart")
    expect(buyer.get_by_test_id("bad-lines").locator("li")).to_have_count(2)
    camera.shoot(buyer, 15, "buyer-quick-order")

    buyer.goto(site.url("/checkout/", subdomain=DEMO_PORTAL))
    expect(buyer.get_by_label("PO number (required)")).to_be_visible()
    expect(buyer.get_by_test_id("approval-notice")).to_be_visible()
    with buyer.expect_response(lambda r: r.url.endswith("/checkout/review/")):
        buyer.get_by_role("button", name="Review").click()
    expect(buyer.get_by_test_id("not-placed")).to_be_visible()
    expect(buyer.get_by_test_id("approval-notice")).to_be_visible()
    camera.shoot(buyer, 16, "buyer-checkout-po-approval")


def buyer_orders_tour(camera: Camera, site: Site, buyer: Page) -> None:
    """17–18: the order history, and a delivered order with its tracking link."""
    buyer.goto(site.url("/orders/", subdomain=DEMO_PORTAL))
    orders = buyer.get_by_test_id("orders")
    expect(orders.get_by_test_id("status").filter(has_text="Delivered").first).to_be_visible()
    camera.shoot(buyer, 17, "buyer-order-history")

    delivered = orders.locator("li").filter(
        has=buyer.get_by_test_id("status").filter(has_text="Delivered")
    )
    delivered.first.get_by_role("link").click()
    expect(buyer.get_by_test_id("tracking").first).to_be_visible()
    scroll_to_top(buyer.get_by_role("heading", name="Shipments"))  # and the timeline below
    camera.shoot(buyer, 18, "buyer-order-tracking-timeline")


def approver_tour(camera: Camera, site: Site) -> None:
    """19: the approver, on a phone, on the order that waits for them."""
    phone = camera.new_page(PHONE)
    sign_in(phone, site, DEMO_PORTAL, DEMO_APPROVER, DEMO_PASSWORD, "/approvals/")
    waiting = phone.get_by_test_id("approvals").locator("li[data-number]").first
    waiting.get_by_role("link", name="Order").click()
    decide = phone.get_by_test_id("decide")
    expect(decide.get_by_role("button", name="Approve", exact=True)).to_be_visible()
    phone.wait_for_load_state("networkidle")
    camera.shoot(phone, 19, "approver-phone-decision")


def backoffice_orders_tour(camera: Camera, site: Site) -> None:
    """20–21: Northwind's order queue and the ship form of a confirmed order (not sent)."""
    admin = camera.new_page()
    sign_in(admin, site, DEMO_PORTAL, DEMO_ADMIN, DEMO_PASSWORD, "/backoffice/")
    admin.goto(site.url("/backoffice/orders/", subdomain=DEMO_PORTAL))
    expect(admin.get_by_test_id("state-tabs")).to_be_visible()
    camera.shoot(admin, 20, "backoffice-orders-queue")

    admin.get_by_test_id("state-tabs").get_by_role("link", name="Confirmed").click()
    admin.get_by_test_id("orders").locator("tbody a").first.click()
    ship = admin.get_by_test_id("ship-form")
    ship.get_by_label("Carrier").select_option(label=DEMO_CARRIER)
    ship.get_by_label("Tracking number").fill(DEMO_TRACKING)
    first_line = ship.locator("input[name^=line_]").first
    open_units = int(first_line.input_value())
    if open_units > 1:
        first_line.fill(str(open_units // 2))  # a part now, the rest later
    ship.scroll_into_view_if_needed()
    camera.shoot(admin, 21, "backoffice-ship-form")


def prepare(env: dict[str, str]) -> None:
    """Create, migrate, bootstrap and seed DATABASE_URL (all idempotent)."""
    python = sys.executable
    for command in (
        [python, "scripts/ensure_db.py"],
        [python, "manage.py", "migrate_schemas", "-v", "0"],
        [python, "manage.py", "portico_bootstrap"],
        [python, "manage.py", "portico_seed_demo"],
    ):
        subprocess.run(command, cwd=ROOT, env=env, check=True)


@contextmanager
def own_server(args: argparse.Namespace, operator: tuple[str, str]) -> Iterator[Site]:
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portico")
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        PORTICO_OPERATOR_EMAIL=operator[0],
        PORTICO_OPERATOR_PASSWORD=operator[1],
    )
    if args.prepare:
        prepare(env)
    server = LiveServer(
        database_url=database_url,
        redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        log_path=ROOT / ".data" / "screenshots-server.log",
        public_host=args.base_domain,
        base_domain=args.base_domain,
    )
    with server:
        print(f"server: {server.origin} on {urlsplit(database_url).path.lstrip('/')}")
        yield Site(server.origin, args.base_domain)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--url",
        help="origin of a running control plane, e.g. "
        "http://portico.localhost:8000 (default: start a server)",
    )
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="own server only: create, migrate, bootstrap and seed the database",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated shot numbers to take, e.g. 07,08 (default: all, 01–21)",
    )
    parser.add_argument(
        "--base-domain", default=os.environ.get("PORTICO_BASE_DOMAIN", "portico.localhost")
    )
    args = parser.parse_args()
    operator = (
        os.environ.get("PORTICO_OPERATOR_EMAIL") or DEFAULT_OPERATOR[0],
        os.environ.get("PORTICO_OPERATOR_PASSWORD") or DEFAULT_OPERATOR[1],
    )
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    args.out.mkdir(parents=True, exist_ok=True)
    only = {f"{int(n):02d}" for n in args.only.replace(" ", "").split(",") if n}
    unknown = only - SIGNUP_SHOTS - CATALOGUE_SHOTS - ORDERING_SHOTS
    if unknown:
        parser.error(f"--only: no such shot {', '.join(sorted(unknown))}")

    @contextmanager
    def running_demo() -> Iterator[Site]:
        yield Site(args.url.rstrip("/"), args.base_domain)

    with (
        running_demo() if args.url else own_server(args, operator) as site,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            print(f"screenshots → {args.out.resolve()}")
            camera = Camera(browser, args.out, only)
            if not only or only & SIGNUP_SHOTS:
                tour(camera, site, operator)
            if not only or only & CATALOGUE_SHOTS:
                catalogue_tour(camera, site)
            if not only or only & ORDERING_SHOTS:
                ordering_tour(camera, site)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
