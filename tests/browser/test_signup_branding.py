"""End to end in Chromium: a new supplier signs up, lands in its back office, sets a primary colour
and a logo, and its buyers' login page shows them.

Screenshots of every step go to ``$PORTICO_TEST_ARTIFACTS/signup-branding/`` (default
``test-artifacts/browser/``); the path is printed at the end of the run.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from branding.contrast import contrast_ratio
from conftest import TEST_PASSWORD
from tests.browser.conftest import committed

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PRIMARY = "#7a1f5c"
PRIMARY_RGB = "rgb(122, 31, 92)"
LOW_CONTRAST = "#f0e68c"  # khaki: white text on it is about 1.2:1
LOGO_SIZE = (240, 80)
CHECKLIST = ["Brand your portal", "Add products", "Invite customers"]


@pytest.fixture
def shot(page: Any, artifacts_dir: Path) -> Callable[[str], Path]:
    """``shot("name")`` saves the page as ``signup-branding/NN-name.png`` (old ones removed)."""
    folder = artifacts_dir / "signup-branding"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    taken: list[Path] = []

    def take(name: str, on: Any = None) -> Path:
        path = folder / f"{len(taken) + 1:02d}-{name}.png"
        (on or page).screenshot(path=path, full_page=True)
        taken.append(path)
        return path

    return take


@pytest.fixture
def logo_png(tmp_path: Path) -> Path:
    """A 240×80 PNG logo: a wordmark block in the brand colour on white."""
    image = Image.new("RGB", LOGO_SIZE, "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 76, 76), radius=14, fill=PRIMARY)
    draw.ellipse((22, 22, 58, 58), outline="white", width=6)
    draw.text((92, 24), "BRW", fill=PRIMARY, font_size=32)
    path = tmp_path / "logo.png"
    image.save(path, format="PNG")
    return path


@pytest.fixture
def supplier_subdomain(unique_subdomain: str, django_db_blocker: Any) -> Iterator[str]:
    """The sub-domain the test signs up with; its tenant is archived afterwards (schema kept)."""
    yield unique_subdomain

    def archive() -> None:
        from django_tenants.utils import schema_context

        from sso.models import User
        from tenants.choices import TenantStatus
        from tenants.models import Tenant
        from tenants.services import tenant_set_status

        with schema_context("public"):
            tenant = Tenant.objects.filter(slug=unique_subdomain).first()
            if tenant is not None and tenant.status != TenantStatus.ARCHIVED:
                tenant_set_status(
                    actor=User.objects.get(email="ops@portico.test"),
                    tenant=tenant,
                    status=TenantStatus.ARCHIVED,
                    reason="Browser end-to-end test finished.",
                )

    committed(django_db_blocker, archive)


def _style_with(colour: str) -> re.Pattern[str]:
    return re.compile(rf"--preview-primary: {re.escape(colour)};")


def _watch(page: Any) -> list[str]:
    """Collect what went wrong on ``page``: script errors, console errors, HTTP 4xx/5xx."""
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console error: {msg.text}")
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"HTTP {r.status} for {r.request.method} {r.url}")
            if r.status >= 400
            else None
        ),
    )
    return problems


def _css(locator: Any, prop: str) -> str:
    return str(locator.evaluate("(el, prop) => getComputedStyle(el)[prop]", prop))


def _logo_size(img: Any) -> tuple[int, int] | None:
    """Natural size of a loaded image; None while it is loading or when it failed to load."""
    size = img.evaluate(
        "el => el.complete && el.naturalWidth > 0 ? [el.naturalWidth, el.naturalHeight] : null"
    )
    return tuple(size) if size else None


def test_new_supplier_signs_up_brands_portal_and_buyers_see_it(
    portico_server: Any,
    page: Any,
    new_context: Any,
    shot: Callable[..., Path],
    logo_png: Path,
    supplier_subdomain: str,
) -> None:
    sub = supplier_subdomain
    company = f"Browser Test Supplies {sub[3:]}"
    portal_host = f"{sub}.{settings.PORTICO_BASE_DOMAIN}"
    supplier_problems = _watch(page)

    # Given the sign-up page of the control plane,
    page.goto(portico_server.url("/signup/"))
    expect(page.get_by_role("heading", name="Start your portal")).to_be_visible()
    shot("control-plane-signup")

    # when the supplier types a sub-domain, the line under the field says live whether it is free.
    subdomain = page.locator("#id_subdomain")
    status = page.locator("#subdomain-status > div")
    subdomain.fill("alpha")
    expect(status).to_have_attribute("data-available", "false")
    expect(status).to_have_text("“alpha” is already taken; please choose another.")
    subdomain.fill(sub)
    expect(status).to_have_attribute("data-available", "true")
    expect(status).to_have_text(f"✓ {portal_host} is available.")

    page.get_by_label("Company name").fill(company)
    page.get_by_label("Your name").fill("Bea Rowe")
    page.get_by_label("Work e-mail").fill(f"bea@{sub}.test")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    expect(status).to_have_text(f"✓ {portal_host} is available.")  # still, after the blur
    shot("signup-filled-subdomain-available")

    # Then creating the portal lands in its own back office, signed in, with the checklist.
    page.get_by_role("button", name="Create my portal").click()
    page.wait_for_url(portico_server.url("/backoffice/?welcome=1", subdomain=sub))
    expect(page.get_by_role("status").filter(has_text="Welcome!")).to_contain_text(
        f"Your portal is live at {portal_host}."
    )
    checklist = page.get_by_test_id("checklist")
    expect(checklist.locator(".checklist-title")).to_have_text(CHECKLIST)
    expect(checklist.locator("li.done")).to_have_count(0)
    expect(page.get_by_text("0 of 3 done")).to_be_visible()
    expect(page.locator(".navbar-brand")).to_have_text(company)
    shot("backoffice-first-run-checklist")

    # When the administrator opens Theme and tries a light primary colour,
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Theme").click()
    page.wait_for_url(portico_server.url("/backoffice/theme/", subdomain=sub))
    preview = page.get_by_test_id("theme-preview")
    warning = page.locator("#theme-preview [role=alert][data-field=primary_color]")
    expect(warning).to_have_count(0)
    page.get_by_label("Primary colour").fill(LOW_CONTRAST)
    # the preview turns khaki and warns about the contrast of white text on it,
    expect(preview).to_have_attribute("style", _style_with(LOW_CONTRAST))
    ratio = contrast_ratio(LOW_CONTRAST, "#ffffff")
    expect(warning).to_have_text(
        f"Contrast warning. White button and header text on {LOW_CONTRAST} have a contrast of "
        f"{ratio:.2f}:1; WCAG AA asks for at least 4.5:1. Choose a darker colour so everyone "
        "can read it."
    )
    assert _css(preview.locator(".preview-header"), "backgroundColor") == "rgb(240, 230, 140)"
    shot("theme-low-contrast-warning")

    # and with a dark plum and a logo the preview follows and the warning goes away.
    page.get_by_label("Primary colour").fill(PRIMARY)
    expect(preview).to_have_attribute("style", _style_with(PRIMARY))
    expect(warning).to_have_count(0)
    assert _css(preview.locator(".preview-header"), "backgroundColor") == PRIMARY_RGB
    assert _css(preview.locator(".preview-button"), "backgroundColor") == PRIMARY_RGB
    page.get_by_label("Logo (PNG, JPEG or WebP, up to 2 MB)").set_input_files(logo_png)
    page.wait_for_load_state("networkidle")  # the preview request the file input triggers
    shot("theme-preview-primary-and-logo")

    page.get_by_role("button", name="Save theme").click()
    expect(page.get_by_role("status")).to_have_text("Your portal's theme is saved.")
    expect(page.get_by_label("Primary colour")).to_have_value(PRIMARY)
    assert _css(page.locator(".portico-header"), "backgroundColor") == PRIMARY_RGB
    expect(page.get_by_alt_text("Current logo")).to_be_visible()
    shot("theme-saved")

    # The checklist now counts the portal as branded.
    page.get_by_role("link", name="Dashboard").click()
    expect(checklist.locator("li.done .checklist-title")).to_have_text(["Brand your portal"])
    expect(page.get_by_text("1 of 3 done")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Portal theme changed")).to_have_count(1)
    shot("backoffice-checklist-branded")

    # Signing out leads to the portal's sign-in page.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(portico_server.url("/login/", subdomain=sub))

    # A buyer who has never been here (fresh browser, no cookies) sees the brand on sign-in.
    buyer = new_context().new_page()
    buyer_problems = _watch(buyer)
    buyer.goto(portico_server.url("/login/", subdomain=sub), wait_until="load")
    expect(buyer.get_by_role("heading", level=1)).to_have_text(company)
    header = buyer.locator(".portico-header")
    sign_in = buyer.get_by_role("button", name="Sign in")
    assert _css(header, "backgroundColor") == PRIMARY_RGB
    assert _css(sign_in, "backgroundColor") == PRIMARY_RGB
    assert _css(sign_in, "color") == "rgb(255, 255, 255)"
    logos = buyer.get_by_alt_text(f"{company} logo")
    expect(logos).to_have_count(2)  # in the header and above the form
    for i in range(2):
        expect(logos.nth(i)).to_be_visible()
        assert _logo_size(logos.nth(i)) == LOGO_SIZE
    shot("buyer-login-branded", on=buyer)

    # No script failed and no request was refused on any page.
    assert supplier_problems == []
    assert buyer_problems == []
