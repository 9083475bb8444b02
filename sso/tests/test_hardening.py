"""Cookies, hosts, password reset, rate limits and the security log, attacked over HTTP."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.customers.choices import MemberRole
from outbox.models import OutboxMessage
from sso import ratelimit
from sso.models import User
from sso.tests.support import code_for, enrolled, password_step
from tenants.models import Domain
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
ALIAS = "orders.alpha-supplies.test"  # a second, non-primary domain of alpha


@pytest.fixture
def alias(alpha):
    with schema_context("public"):
        Domain.objects.create(domain=ALIAS, tenant=alpha.tenant, is_primary=False)
    return ALIAS


@pytest.fixture
def production_cookies(settings):
    """The cookie settings production derives from PORTICO_ENV=production."""
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.SESSION_COOKIE_NAME = "__Host-portico_session"
    settings.CSRF_COOKIE_NAME = "__Host-portico_csrf"


# --- Cookies ---------------------------------------------------------------------------------


def _assert_host_only_secure(morsel, *, httponly: bool) -> None:
    assert morsel["secure"] is True
    assert morsel["domain"] == ""  # host-only: never a parent-domain cookie
    assert morsel["path"] == "/"
    assert morsel["samesite"] == "Lax"
    assert bool(morsel["httponly"]) is httponly


@pytest.mark.parametrize("which", ["alpha", "beta", "alias"])
def test_cookie_flags_on_every_tenant_host(alpha, beta, alias, production_cookies, which):
    host = {"alpha": alpha.host, "beta": beta.host, "alias": alias}[which]
    email = "admin@beta.test" if which == "beta" else "admin@alpha.test"
    client = Client(HTTP_HOST=host)
    client.get("/login/")
    _assert_host_only_secure(client.cookies["__Host-portico_csrf"], httponly=True)
    response = password_step(client, email)
    assert response.status_code == 302
    _assert_host_only_secure(response.cookies["__Host-portico_session"], httponly=True)


def test_production_settings_use_host_prefixed_secure_cookies():
    env = {
        **os.environ,
        "PORTICO_ENV": "production",
        "SECRET_KEY": "x" * 64,
        "EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": "smtp.internal",
        "DATABASE_URL": "postgres://portico:pw@db.internal:5432/portico",  # only read, not used
        "REDIS_URL": "redis://cache.internal:6379/0",
        "DJANGO_SETTINGS_MODULE": "control_plane.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "platform")]),
    }
    env.pop("SECURE_COOKIES", None)
    env.pop("TOTP_REQUIRED_FOR_STAFF", None)
    probe = (
        "import json; from control_plane import settings as s; print(json.dumps([s.SESSION_COOKIE_NAME,"
        " s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY,"
        " s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_DOMAIN, s.CSRF_TRUSTED_ORIGINS,"
        " s.PORTICO_TOTP_REQUIRED_FOR_STAFF]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == [
        "__Host-portico_session",
        "__Host-portico_csrf",
        True,
        True,
        True,
        None,
        None,
        [],
        True,
    ]


def test_csrf_trusted_origins_never_contain_a_wildcard():
    assert not [o for o in django_settings.CSRF_TRUSTED_ORIGINS if "*" in o]


def test_a_session_cookie_from_one_portal_is_anonymous_on_another(alpha, beta):
    on_alpha = alpha.client()
    password_step(on_alpha, "admin@alpha.test")
    stolen = on_alpha.cookies[django_settings.SESSION_COOKIE_NAME].value
    on_beta = beta.client()
    on_beta.cookies[django_settings.SESSION_COOKIE_NAME] = stolen
    assert on_beta.get("/backoffice/")["Location"] == "/login/?next=/backoffice/"
    assert on_beta.get("/api/v1/me").status_code == 401
    assert on_alpha.get("/backoffice/").status_code == 200


# --- Password reset ----------------------------------------------------------------------------


def _reset_link(schema: str) -> str:
    with schema_context(schema):
        message = OutboxMessage.objects.filter(payload__template="password_reset").latest("id")
    return message.payload["context"]["link"]


def test_password_reset_from_request_to_new_password(alpha, alias):
    with schema_context(alpha.schema):
        MembershipFactory(user=UserFactory(email="forgot@buyer.test"))
    old_session = alpha.client()
    password_step(old_session, "forgot@buyer.test")

    forged = Client(HTTP_HOST=alias)  # a Host that routes to alpha but is not its primary
    sent = forged.post("/password-reset/", {"email": "Forgot@Buyer.test"})
    assert sent.status_code == 200 and "a link to choose a new password" in sent.content.decode()
    link = _reset_link(alpha.schema)
    assert re.fullmatch(
        r"http://alpha\.portico\.localhost:8000/password-reset/[0-9a-f-]{36}/[\w-]+/", link
    )
    path = link.removeprefix("http://alpha.portico.localhost:8000")

    client = alpha.client()
    assert client.get(path).status_code == 200
    mismatch = client.post(path, {"password": "New-Password-2027", "password_again": "Other-2027!"})
    assert mismatch.status_code == 400
    done = client.post(
        path, {"password": "New-Password-2027", "password_again": "New-Password-2027"}
    )
    assert (done.status_code, done["Location"]) == (302, "/login/")
    assert old_session.get("/catalogue/").status_code == 302  # every old session ended
    assert (
        password_step(alpha.client(), "forgot@buyer.test", "New-Password-2027").status_code == 302
    )

    used = client.get(path)
    assert used.status_code == 400 and "expired or was already used" in used.content.decode()
    assert (
        client.post(
            path, {"password": "Third-Password-2028", "password_again": "Third-Password-2028"}
        ).status_code
        == 400
    )
    with schema_context(alpha.schema):
        assert User.objects.get(email="forgot@buyer.test").check_password("New-Password-2027")


def test_an_unknown_email_gets_the_same_answer_and_no_mail(alpha):
    with schema_context(alpha.schema):
        before = OutboxMessage.objects.filter(payload__template="password_reset").count()
    response = alpha.client().post("/password-reset/", {"email": "nobody@nowhere.test"})
    assert (
        response.status_code == 200
        and "a link to choose a new password" in response.content.decode()
    )
    with schema_context(alpha.schema):
        assert OutboxMessage.objects.filter(payload__template="password_reset").count() == before
        entry = AuditEntry.objects.filter(action="auth.password_reset_requested").latest("id")
    assert (entry.actor_label, entry.details) == ("nobody@nowhere.test", {"account_found": False})


def test_a_forged_or_expired_token_is_refused(alpha, settings):
    with schema_context(alpha.schema):
        user = MembershipFactory(user=UserFactory(email="tok@buyer.test")).user
    forged = alpha.client().get(f"/password-reset/{user.public_id}/abc-123/")
    assert forged.status_code == 400
    alpha.client().post("/password-reset/", {"email": "tok@buyer.test"})
    path = _reset_link(alpha.schema).removeprefix("http://alpha.portico.localhost:8000")
    settings.PASSWORD_RESET_TIMEOUT = -1  # the hour has passed
    assert alpha.client().get(path).status_code == 400


def test_reset_requests_are_limited_per_account(alpha):
    client = alpha.client()
    for _ in range(3):
        assert client.post("/password-reset/", {"email": "admin@alpha.test"}).status_code == 200
    limited = client.post("/password-reset/", {"email": "admin@alpha.test"})
    assert limited.status_code == 429
    # the hour opened at the first request: the wait is that hour, whatever the clock says
    assert "Too many password reset requests. Try again in 60 minutes." in limited.content.decode()
    with schema_context(alpha.schema):  # the refused request sent nothing
        assert OutboxMessage.objects.filter(payload__template="password_reset").count() == 3


def test_invitation_links_point_to_the_primary_domain_whatever_the_host(alpha, alias):
    with schema_context(alpha.schema):
        admin = MembershipFactory(
            company=CompanyFactory(),
            role=MemberRole.COMPANY_ADMIN,
            user=UserFactory(email="boss@buyer.test"),
        )
    client = Client(HTTP_HOST=alias)
    password_step(client, admin.user.email)
    client.post("/company/team/", {"email": "new@buyer.test", "role": "buyer"})
    with schema_context(alpha.schema):
        link = (
            OutboxMessage.objects.filter(payload__template="invitation")
            .latest("id")
            .payload["context"]["link"]
        )
    assert link.startswith("http://alpha.portico.localhost:8000/invitations/")


# --- Sign-in rate limits -------------------------------------------------------------------


def test_sign_in_is_limited_per_account_even_with_the_right_password(alpha):
    client = alpha.client()
    for _ in range(10):
        assert password_step(client, "admin@alpha.test", "wrong-password-x").status_code == 400
    limited = password_step(client, "admin@alpha.test")
    assert limited.status_code == 429
    assert "Too many sign-in attempts. Try again in 15 minutes." in limited.content.decode()
    assert client.get("/backoffice/").status_code == 302
    # Another account from another address is not affected.
    other = alpha.client(REMOTE_ADDR="192.0.2.44")
    with schema_context(alpha.schema):
        MembershipFactory(user=UserFactory(email="calm@buyer.test"))
    assert password_step(other, "calm@buyer.test").status_code == 302
    with schema_context(alpha.schema):
        entry = AuditEntry.objects.filter(action="auth.login_failed").latest("id")
    assert entry.details == {"method": "password", "reason": "rate_limited"}


def test_sign_in_is_limited_per_ip_across_accounts(alpha, settings):
    settings.PORTICO_RATE_LIMITS = {**settings.PORTICO_RATE_LIMITS, "login:ip": (5, 900)}
    client = alpha.client(REMOTE_ADDR="203.0.113.50")
    for n in range(5):
        password_step(client, f"guess{n}@buyer.test", "wrong-password-x")
    assert password_step(client, "admin@alpha.test").status_code == 429
    assert (
        password_step(alpha.client(REMOTE_ADDR="203.0.113.51"), "admin@alpha.test").status_code
        == 302
    )


def test_guesses_sent_at_once_cannot_all_pass_the_limit(alpha, settings):
    settings.PORTICO_RATE_LIMITS = {**settings.PORTICO_RATE_LIMITS, "login:account": (10, 900)}

    def guess(_: int) -> bool:
        with schema_context(alpha.schema):
            found = ratelimit.buckets("login", account="target@buyer.test", ip=None)
            try:
                ratelimit.reserve(found, "sign-in attempts")
            except ratelimit.RateLimited:
                return False
            return True

    with ThreadPoolExecutor(max_workers=20) as pool:
        passed = list(pool.map(guess, range(40)))

    assert passed.count(True) == 10
    with schema_context(alpha.schema):
        assert ratelimit.buckets("login", account="target@buyer.test", ip=None)[0].used() == 10


def test_a_window_opens_at_the_first_attempt_and_ends_with_its_length(alpha, settings):
    settings.PORTICO_RATE_LIMITS = {**settings.PORTICO_RATE_LIMITS, "login:account": (2, 1)}
    with schema_context(alpha.schema):
        found = ratelimit.buckets("login", account="slow@buyer.test", ip=None)
        ratelimit.reserve(found, "sign-in attempts")
        ratelimit.reserve(found, "sign-in attempts")
        with pytest.raises(ratelimit.RateLimited) as refused:
            ratelimit.reserve(found, "sign-in attempts")
        assert refused.value.retry_after == 1
        assert found[0].used() == 2  # the refused attempt was given back
        time.sleep(1.2)
        assert found[0].exhausted() == 0
        ratelimit.reserve(found, "sign-in attempts")  # a new window, counted from one
        assert found[0].used() == 1


def test_giving_back_to_an_ended_window_leaves_no_counter_behind(alpha):
    with schema_context(alpha.schema):
        bucket = ratelimit.Bucket("login:account", "gone@buyer.test")
        bucket.give_back()
        assert bucket.used() == 0
        assert bucket.hit() == (1, 900)


def test_a_right_password_gives_its_attempt_back(alpha):
    client = alpha.client()
    for _ in range(9):
        assert password_step(client, "admin@alpha.test", "wrong-password-x").status_code == 400
    assert password_step(alpha.client(), "admin@alpha.test").status_code == 302
    # the success did not count: one more wrong guess is still answered, then the limit holds
    assert password_step(client, "admin@alpha.test", "wrong-password-x").status_code == 400
    assert password_step(client, "admin@alpha.test").status_code == 429


def test_behind_our_proxies_the_client_is_read_from_the_right_of_x_forwarded_for(alpha, settings):
    settings.PORTICO_RATE_LIMITS = {**settings.PORTICO_RATE_LIMITS, "login:ip": (3, 900)}

    def attempt(trusted: int, forwarded: str, email: str) -> int:
        settings.PORTICO_TRUSTED_PROXIES = trusted
        client = alpha.client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)
        return password_step(client, email, "wrong-password-x").status_code

    # one proxy of ours: the address it appended is the client; what the client wrote is not
    for n in range(3):
        assert attempt(1, f"198.51.100.{n}, 203.0.113.9", f"spray{n}@buyer.test") == 400
    assert attempt(1, "198.51.100.99, 203.0.113.9", "spray9@buyer.test") == 429
    # another client behind the same proxy is not refused with it
    assert attempt(1, "203.0.113.10", "spray0@buyer.test") == 400
    with schema_context(alpha.schema):
        ips = list(
            AuditEntry.objects.filter(action="auth.login_failed")
            .order_by("id")
            .values_list("ip", flat=True)
        )
    assert ips[-1] == "203.0.113.10"
    assert set(ips[:-1]) == {"203.0.113.9"}
    # without a proxy of ours the header is the client's own words: REMOTE_ADDR counts
    assert attempt(0, "203.0.113.11", "spray1@buyer.test") == 400
    with schema_context(alpha.schema):
        assert AuditEntry.objects.filter(action="auth.login_failed").latest("id").ip == "10.0.0.5"


def test_rate_limits_are_per_portal(alpha, beta):
    for _ in range(10):
        password_step(alpha.client(), "admin@alpha.test", "wrong-password-x")
    assert password_step(alpha.client(), "admin@alpha.test").status_code == 429
    with schema_context(beta.schema):
        MembershipFactory(user=UserFactory(email="admin@alpha.test"))  # same e-mail at beta
    assert password_step(beta.client(), "admin@alpha.test").status_code == 302


# --- Security log --------------------------------------------------------------------------


def test_supplier_admins_filter_the_security_log(alpha):
    password_step(alpha.client(REMOTE_ADDR="203.0.113.77"), "admin@alpha.test", "wrong-password-x")
    admin = alpha.client()
    password_step(admin, "admin@alpha.test")
    page = admin.get(
        "/backoffice/security-log/", {"action": "auth.login_failed", "ip": "203.0.113.77"}
    )
    assert page.status_code == 200
    rows = re.findall(r"<tr><td class=\"text-nowrap\">", page.content.decode())
    assert len(rows) == 1 and "bad_credentials" in page.content.decode()
    assert admin.get("/backoffice/security-log/", {"ip": "not-an-ip"}).status_code == 200


def test_company_admins_see_only_their_own_members_events(alpha):
    with schema_context(alpha.schema):
        x, y = CompanyFactory(), CompanyFactory()
        MembershipFactory(
            company=x, role=MemberRole.COMPANY_ADMIN, user=UserFactory(email="lx@buyer.test")
        )
        MembershipFactory(company=x, user=UserFactory(email="mx@buyer.test"))
        MembershipFactory(company=y, user=UserFactory(email="my@buyer.test"))
    for email in ("mx@buyer.test", "my@buyer.test"):
        password_step(alpha.client(), email, "wrong-password-x")
        password_step(alpha.client(), email)
    admin = alpha.client()
    password_step(admin, "lx@buyer.test")
    body = admin.get("/company/security-log/").content.decode()
    assert "mx@buyer.test" in body and "my@buyer.test" not in body
    plain = alpha.client()
    password_step(plain, "mx@buyer.test")
    assert plain.get("/company/security-log/").status_code == 403


def test_the_security_log_page_reads_a_fixed_number_of_queries(alpha):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = alpha.client()
    password_step(admin, "admin@alpha.test")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin.get("/backoffice/security-log/").status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for _ in range(12):
        password_step(alpha.client(), "admin@alpha.test", "wrong-password-x")
    from sso import ratelimit

    ratelimit.reset_all()
    assert queries() == few


def test_operators_reset_their_password_on_the_control_plane(control_client, operator):
    from django_tenants.utils import schema_context

    response = control_client.post("/password-reset/", {"email": "ops@portico.test"})
    assert response.status_code == 200
    with schema_context("public"):
        link = (
            OutboxMessage.objects.filter(payload__template="password_reset")
            .latest("id")
            .payload["context"]["link"]
        )
    assert link.startswith(f"http://{django_settings.PORTICO_PUBLIC_HOST}:8000/password-reset/")


def test_a_password_reset_voids_a_sign_in_waiting_for_its_code(alpha):
    with schema_context(alpha.schema):
        user = MembershipFactory(user=UserFactory(email="half@buyer.test")).user
        device = enrolled(user)
    intruder = alpha.client()  # knows the old password, waits at the code step
    assert password_step(intruder, "half@buyer.test")["Location"].startswith("/login/verify/")

    alpha.client().post("/password-reset/", {"email": "half@buyer.test"})
    path = _reset_link(alpha.schema).removeprefix("http://alpha.portico.localhost:8000")
    alpha.client().post(
        path, {"password": "New-Password-2027", "password_again": "New-Password-2027"}
    )

    with schema_context(alpha.schema):
        code = code_for(device)
    refused = intruder.post("/login/verify/", {"code": code})
    assert (refused.status_code, refused["Location"]) == (302, "/login/")
    assert intruder.get("/catalogue/")["Location"].startswith("/login/")
    assert intruder.get("/api/v1/me").status_code == 401
    with schema_context(alpha.schema):
        assert not AuditEntry.objects.filter(
            action="auth.login", object_id=str(user.public_id)
        ).exists()
