"""End to end in Chromium: a staff member sets up TOTP by scanning the QR code, then signs in
with their password and a code from the app.

"Scanning" reads the otpauth URI the page carries with the QR code, checks that the picture is
the QR code of exactly that URI and that its secret is the one printed for manual entry; the codes are computed from that secret
as an authenticator app would. Screenshots go to ``$PORTICO_TEST_ARTIFACTS/totp-enrolment/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from playwright.sync_api import expect

from conftest import TEST_PASSWORD
from sso.tests.support import code_for_secret
from tests.browser.conftest import (
    archive_tenant,
    committed,
    screenshots,
    server_password_hash,
    watch,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def _seed(subdomain: str) -> str:
    """A portal with a validator (staff) whose password the live server can check."""
    from django_tenants.utils import schema_context

    from sso.models import User
    from sso.services import user_create
    from tenants.services import SignupRequest, tenant_provision

    tenant, _ = tenant_provision(
        actor=None,
        request=SignupRequest(
            "Totp Tools", subdomain, "Tina Admin", f"admin@{subdomain}.test", TEST_PASSWORD
        ),
    )
    email = f"val@{subdomain}.test"
    with schema_context(tenant.schema_name):
        user = user_create(
            actor=None,
            email=email,
            full_name="Vic Validator",
            password=TEST_PASSWORD,
            kind="staff",
            staff_role="validator",
        )
        User.objects.filter(pk=user.pk).update(password=server_password_hash(TEST_PASSWORD))
    return email


@pytest.fixture
def staff_email(unique_subdomain: str, django_db_blocker: Any) -> Iterator[str]:
    try:
        yield committed(django_db_blocker, lambda: _seed(unique_subdomain))
    finally:
        archive_tenant(django_db_blocker, unique_subdomain, "Browser end-to-end test finished.")


@pytest.fixture
def shot(artifacts_dir: Path) -> Any:
    return screenshots(artifacts_dir, "totp-enrolment")


def _qr_path(uri: str | None) -> str:
    import io

    import qrcode
    import qrcode.image.svg

    buffer = io.BytesIO()
    qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8).save(buffer)
    found = re.search(r'<path[^>]* d="([^"]+)"', buffer.getvalue().decode())
    assert found is not None
    return found.group(1)


def _password_step(page: Any, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_staff_member_scans_the_qr_code_and_signs_in_with_a_code(
    page, portico_server, unique_subdomain, staff_email, shot
):
    def url(path: str) -> str:
        return portico_server.url(path, subdomain=unique_subdomain)

    problems = watch(page)
    _password_step(page, url("/login/"), staff_email)
    page.wait_for_url(url("/backoffice/"))
    page.get_by_role("link", name=staff_email).click()
    page.wait_for_url(url("/account/security/"))
    expect(page.get_by_test_id("two-factor-status")).to_contain_text("Off")
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    page.wait_for_url(url("/account/two-factor/setup/"))

    qr = page.get_by_test_id("totp-qr")
    expect(qr.locator("svg")).to_be_visible()
    shot(page, "scan-the-qr-code")
    scanned = urlsplit(qr.get_attribute("data-otpauth-uri") or "")
    assert scanned.scheme == "otpauth" and scanned.netloc == "totp"
    assert unquote(scanned.path) == f"/Totp Tools:{staff_email}"
    params = parse_qs(scanned.query)
    secret = params["secret"][0]
    assert (params["issuer"], params["digits"], params["period"]) == (["Totp Tools"], ["6"], ["30"])
    printed = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    assert printed == secret
    # The picture is the QR code of exactly that URI (what a phone's camera would read).
    assert qr.locator("svg path").get_attribute("d") == _qr_path(
        qr.get_attribute("data-otpauth-uri")
    )

    page.get_by_label("Code from the app").fill(code_for_secret(secret))
    page.get_by_role("button", name="Confirm").click()
    codes = page.get_by_test_id("backup-codes").locator("li")
    expect(codes).to_have_count(10)
    assert all(re.fullmatch(r"[a-z2-7]{5}-[a-z2-7]{5}", c) for c in codes.all_inner_texts())
    shot(page, "backup-codes-shown-once")
    page.get_by_role("link", name="I have saved them, continue").click()
    expect(page.get_by_test_id("two-factor-status")).to_contain_text("On")
    expect(page.get_by_test_id("sessions")).to_contain_text("This session")
    shot(page, "security-page")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(url("/login/"))
    _password_step(page, url("/login/"), staff_email)
    page.wait_for_url(url("/login/verify/"))
    # Half-way through the sign-in nothing is open yet.
    page.goto(url("/backoffice/"))
    assert page.url.startswith(url("/login/"))
    page.goto(url("/login/verify/"))
    shot(page, "enter-the-code")
    # The step used to confirm the set-up cannot be used again: the app's next code.
    page.get_by_label("Code").fill(code_for_secret(secret, steps=1))
    page.get_by_role("button", name="Verify and sign in").click()
    page.wait_for_url(url("/backoffice/"))
    expect(page.get_by_role("link", name=staff_email)).to_be_visible()
    shot(page, "signed-in-with-the-code")
    assert problems == []
