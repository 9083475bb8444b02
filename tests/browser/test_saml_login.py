"""End to end in Chromium: a buyer of a company that signs in with SAML types their e-mail on
the portal's login page, is sent to the company's IdP (a tiny test IdP served by this test on
127.0.0.1, which answers with an auto-submitting form carrying a signed Response) and comes back
signed in, created on the fly with the role the IdP's group maps to.

The IdP's site is another site than the portal's: its POST carries no SameSite=Lax session
cookie, so the ACS posts the response again from the portal's own page (the "bounce") before
it checks InResponseTo against the session. Screenshots go to
``$PORTICO_TEST_ARTIFACTS/saml-login/`` (default ``test-artifacts/browser/``).
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from conftest import TEST_PASSWORD
from sso.saml.tests.idp import TestIdp, request_id
from tests.browser.conftest import (
    archive_tenant,
    committed,
    screenshots,
    server_password_hash,
    watch,
)
from tests.support.live_server import free_port

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@dataclass(frozen=True)
class Scenario:
    subdomain: str
    company: str
    domain: str
    email: str
    connection_id: str
    admin_email: str


class LocalIdp:
    """The test IdP on 127.0.0.1:``port``: GET /sso?SAMLRequest=… answers the AuthnRequest for
    ``email`` with a signed Response in a form that posts itself to the ACS."""

    def __init__(
        self, idp: TestIdp, *, port: int, acs_url: str, entity_id: str, email: str
    ) -> None:
        self.idp, self.acs_url, self.entity_id, self.email = idp, acs_url, entity_id, email
        self.port = port
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def sso_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sso"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        local = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if urlparse(self.path).path != "/sso":
                    self.send_error(404)
                    return
                rid = request_id(self.path)
                local.requests.append(rid)
                xml = local.idp.response(
                    acs_url=local.acs_url,
                    audience=local.entity_id,
                    in_response_to=rid,
                    name_id=local.email,
                    attributes={
                        "mail": [local.email],
                        "givenName": ["Nina"],
                        "sn": ["Nord"],
                        "groups": ["everyone", "purchasing-approvers"],
                    },
                )
                from sso.saml.tests.idp import encode

                relay = parse_qs(urlparse(self.path).query).get("RelayState", [""])[0]
                body = (
                    "<!doctype html><title>Test IdP</title><body>"
                    f"<p>Test IdP: signing in {html.escape(local.email)}</p>"
                    f'<form method="post" action="{html.escape(local.acs_url)}">'
                    f'<input type="hidden" name="SAMLResponse" value="{encode(xml)}">'
                    f'<input type="hidden" name="RelayState" value="{html.escape(relay)}">'
                    "</form><script>document.forms[0].submit()</script></body>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def __enter__(self) -> LocalIdp:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _seed(subdomain: str, token: str, idp: TestIdp, sso_url: str) -> Scenario:
    from django_tenants.utils import schema_context

    from commerce.customers.services import CompanyInput, company_create
    from sso.models import User
    from sso.saml.services import ConnectionInput, connection_create
    from tenants.services import SignupRequest, tenant_provision

    admin_email = f"admin@{subdomain}.test"
    tenant, admin = tenant_provision(
        actor=None,
        request=SignupRequest(
            f"SSO Supplies {token}", subdomain, "Sam Admin", admin_email, TEST_PASSWORD
        ),
    )
    domain = f"nordwerk-{token}.test"
    with schema_context(tenant.schema_name):
        User.objects.filter(pk=admin.pk).update(password=server_password_hash(TEST_PASSWORD))
        company = company_create(
            actor=admin,
            data=CompanyInput(
                name=f"Nordwerk {token}",
                billing_line1="Hafenstraße 12",
                billing_postcode="20457",
                billing_city="Hamburg",
                billing_country="DE",
            ),
        )
        connection = connection_create(
            actor=admin,
            data=ConnectionInput(
                name="Nordwerk Entra ID",
                audience="company",
                company=company,
                idp_entity_id=idp.entity_id,
                idp_sso_url=sso_url,
                certificates=idp.cert,
                email_domains=domain,
                attr_email="mail",
                attr_first_name="givenName",
                attr_last_name="sn",
                attr_role="groups",
                role_map="purchasing-approvers = approver",
                default_role="buyer",
                jit_enabled=True,
                saml_only=True,
            ),
        )
    return Scenario(
        subdomain=subdomain,
        company=company.name,
        domain=domain,
        email=f"nina.nord@{domain}",
        connection_id=str(connection.public_id),
        admin_email=admin_email,
    )


@pytest.fixture
def shot(artifacts_dir: Path) -> Callable[[Any, str], Path]:
    return screenshots(artifacts_dir, "saml-login")


@pytest.fixture
def local_idp_port() -> int:
    return free_port()


@pytest.fixture
def scenario(
    unique_subdomain: str, django_db_blocker: Any, local_idp_port: int
) -> Iterator[Scenario]:
    idp = TestIdp(entity_id="https://login.nordwerk.test/saml", key_name="browser-idp")
    sso_url = f"http://127.0.0.1:{local_idp_port}/sso"
    try:
        yield committed(
            django_db_blocker, lambda: _seed(unique_subdomain, unique_subdomain[3:], idp, sso_url)
        )
    finally:
        archive_tenant(django_db_blocker, unique_subdomain, "Browser end-to-end test finished.")


def _member(django_db_blocker: Any, subdomain: str, email: str) -> tuple[str, str, str]:
    def read() -> tuple[str, str, str]:
        from django_tenants.utils import schema_context

        from commerce.customers.models import Membership
        from tenants.models import Tenant

        with schema_context(Tenant.objects.get(slug=subdomain).schema_name):
            member = Membership.objects.select_related("company", "user").get(user__email=email)
            return member.company.name, str(member.role), member.user.full_name

    return committed(django_db_blocker, read)


def test_a_buyer_signs_in_through_their_companys_idp(
    portico_server: Any,
    page: Any,
    scenario: Scenario,
    local_idp_port: int,
    django_db_blocker: Any,
    shot: Callable[[Any, str], Path],
) -> None:
    s = scenario

    def url(path: str) -> str:
        return portico_server.url(path, subdomain=s.subdomain)

    base = url(f"/sso/saml/{s.connection_id}")
    idp = LocalIdp(
        TestIdp(entity_id="https://login.nordwerk.test/saml", key_name="browser-idp"),
        port=local_idp_port,
        acs_url=f"{base}/acs/",
        entity_id=f"{base}/metadata/",
        email=s.email,
    )
    problems = watch(page)

    with idp:
        # Given the portal's login page, the buyer types their work e-mail under single sign-on
        page.goto(url("/login/"))
        sso = page.get_by_test_id("sso-login")
        expect(sso).to_be_visible()
        sso.get_by_label("Work e-mail").fill(s.email)
        shot(page, "login-email-first")

        # and continues: off to the company's IdP, which answers with a signed response,
        sso.get_by_role("button", name="Continue with SSO").click()

        # and they come back signed in, in the catalogue of their company.
        page.wait_for_url(url("/catalogue/"))
        expect(page.locator("#portal-nav")).to_contain_text(f"{s.company} · {s.email}")
        shot(page, "signed-in-catalogue")
        assert len(idp.requests) == 1

    # The account was created on the fly with the role the IdP's group maps to.
    assert _member(django_db_blocker, s.subdomain, s.email) == (s.company, "approver", "Nina Nord")
    page.goto(url("/company/team/"))
    expect(page.get_by_text(f"{s.email} · Approver")).to_be_visible()
    shot(page, "team-with-mapped-role")

    # A password does not get them in: the company signs in with SAML only.
    other = page.context.browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        login = other.new_page()
        login.goto(url("/login/"))
        login.get_by_label("E-mail", exact=True).fill(s.email)
        login.get_by_label("Password").fill("anything-at-all-1")
        login.get_by_role("button", name="Sign in").click()
        expect(login.get_by_role("alert").first).to_contain_text(
            "signs in to this portal with single sign-on"
        )
        shot(login, "password-refused-saml-only")
    finally:
        other.close()

    # The supplier's administrator finds the connection, its SP values and no refused sign-in.
    admin = page.context.browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        back = admin.new_page()
        problems_admin = watch(back)
        back.goto(url("/login/"))
        back.get_by_label("E-mail", exact=True).fill(s.admin_email)
        back.get_by_label("Password").fill(TEST_PASSWORD)
        back.get_by_role("button", name="Sign in").click()
        back.wait_for_url(url("/backoffice/"))
        back.get_by_role("navigation").get_by_role("button", name="Settings").click()
        back.get_by_role("navigation").get_by_role("link", name="Single sign-on").click()
        back.get_by_role("link", name="Nordwerk Entra ID").click()
        expect(back.get_by_test_id("sp-acs-url")).to_have_text(f"{base}/acs/")
        expect(back.get_by_test_id("last-errors")).to_contain_text("None.")
        shot(back, "backoffice-connection")
        assert problems_admin == []
    finally:
        admin.close()

    assert problems == []
