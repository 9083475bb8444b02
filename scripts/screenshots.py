"""Take the README tour screenshots (1280×800 PNGs, one 390×844) into docs/screenshots/.

    # against the running demo (`make run`), with its operator login:
    .venv/bin/python scripts/screenshots.py --url http://portico.localhost:8000

    # only some of them (01–06 are the sign-up tour, 07–13 the catalogue tour):
    .venv/bin/python scripts/screenshots.py --url http://portico.localhost:8000 --only 07,08,13

    # or start a server of its own on DATABASE_URL (--prepare migrates, bootstraps and seeds it):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portico .venv/bin/python scripts/screenshots.py

The tour signs up a supplier of its own ("Larkspur Tools", sub-domain ``larkspur``, or
``larkspur-2``… when taken), brands it, and signs in to the operator console as
PORTICO_OPERATOR_EMAIL / PORTICO_OPERATOR_PASSWORD (the defaults of `make run`).
The catalogue tour (07–13) needs the demo seed (`portico_seed_demo`): it signs in to Northwind as
its buyer at Brandt Metallbau and as its administrator, and uploads a small products CSV with one
bad row (the import stops at the preview, so nothing is applied).
Chromium is Debian's /usr/bin/chromium; `playwright install` is never needed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
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
        help="comma-separated shot numbers to take, e.g. 07,08 (default: all, 01–13)",
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
    unknown = only - SIGNUP_SHOTS - CATALOGUE_SHOTS
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
        finally:
            browser.close()


if __name__ == "__main__":
    main()
