"""Test set-up shared by every suite: a migrated test database with the control plane, the
template schema and two supplier tenants (``alpha`` and ``beta``), built once per session."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

TEST_PASSWORD = "Correct-Horse-Battery-42"  # noqa: S105


@dataclass
class TenantFixture:
    """A provisioned tenant with its administrator, committed for the whole session."""

    tenant: Any
    admin: Any
    host: str

    @property
    def schema(self) -> str:
        return str(self.tenant.schema_name)

    def client(self, **extra: Any) -> Client:
        return Client(HTTP_HOST=self.host, **extra)


def _provision(company: str, subdomain: str, admin_email: str) -> TenantFixture:
    from tenants.services import SignupRequest, host_for, tenant_provision

    tenant, admin = tenant_provision(
        actor=None,
        request=SignupRequest(company, subdomain, f"{company} Admin", admin_email, TEST_PASSWORD),
    )
    return TenantFixture(tenant=tenant, admin=admin, host=host_for(subdomain))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> dict[str, TenantFixture]:
    from django.core.management import call_command

    name = connection.settings_dict["NAME"]
    if not str(name).startswith("test_"):
        raise RuntimeError(f"refusing to set up test tenants in {name!r}: not a test database")
    from django.core.cache import cache

    cache.clear()  # a fresh test database must not meet cache entries of an earlier one
    with django_db_blocker.unblock():
        call_command(
            "portico_bootstrap",
            operator_email="ops@portico.test",
            operator_password=TEST_PASSWORD,
            verbosity=0,
        )
        tenants = {
            "alpha": _provision("Alpha Supplies", "alpha", "admin@alpha.test"),
            "beta": _provision("Beta Parts", "beta", "admin@beta.test"),
        }
        connection.set_schema_to_public()
    return tenants


@pytest.fixture
def tenants(django_db_setup: dict[str, TenantFixture], db: None) -> dict[str, TenantFixture]:
    return django_db_setup


@pytest.fixture
def alpha(tenants: dict[str, TenantFixture]) -> TenantFixture:
    return tenants["alpha"]


@pytest.fixture
def beta(tenants: dict[str, TenantFixture]) -> TenantFixture:
    return tenants["beta"]


@pytest.fixture
def operator(db: None) -> Any:
    from sso.models import User

    with schema_context("public"):
        return User.objects.get(email="ops@portico.test")


@pytest.fixture
def control_client() -> Client:
    return Client(HTTP_HOST=settings.PORTICO_PUBLIC_HOST)


def _next_noon() -> datetime:
    """The coming noon in the portals' zone (within 24 hours: never back, so nothing the session
    stamped lies in the future)."""
    from commerce.models import PortalSettings

    zone = ZoneInfo(PortalSettings._meta.get_field("timezone").default)  # the test portals'
    here = datetime.now(tz=zone)
    noon = here.replace(hour=12, minute=0, second=0, microsecond=0)
    return (noon if noon > here else noon + timedelta(days=1)).astimezone(UTC)


@pytest.fixture
def clock(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> datetime:
    """Django's clock (``timezone.now``: the portal's "today", ``auto_now`` stamps) moved to the
    coming noon in the portals' zone, or to the instant a test passes with ``indirect=True``, and
    running on in real time from there. For tests that work out a date themselves ("today", this
    year) and compare it with the one the product works out a moment later: on the real clock
    they fail when the supplier's midnight passes in between. Request it before the fixtures that
    create data. ``time.time()`` keeps the real clock (TOTP codes, SAML validity, signed values):
    do not mix the two in one check."""
    from django.utils import timezone

    start = getattr(request, "param", None) or _next_noon()
    start = start.astimezone(UTC)  # as timezone.now() answers
    started = time.monotonic()
    monkeypatch.setattr(
        timezone, "now", lambda: start + timedelta(seconds=time.monotonic() - started)
    )
    return start


@pytest.fixture(autouse=True)
def _reset_schema_and_routes() -> Iterator[None]:
    """Each test starts in public with an empty routing cache, and leaves it so."""
    from sso import ratelimit
    from tenants import routing

    routing._cache.clear_local()
    ratelimit.reset_all()  # sign-in limits count per IP: one test's failures never block another
    yield
    routing._cache.clear_local()
    if connection.connection is not None or connection.schema_name != "public":
        connection.set_schema_to_public()


def pytest_configure(config: Any) -> None:
    """Tests hash many passwords: a fast hasher first (PBKDF2 stays available, so hashes made
    by the live server and the worker still verify)."""
    from django.conf import settings as django_settings

    django_settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *django_settings.PASSWORD_HASHERS,
    ]
    # Tests write inside a transaction that never commits, so on-commit invalidation never
    # runs: the catalogue cache is off, except in the tests of the cache itself.
    django_settings.CATALOGUE_CACHE_SECONDS = 0
    django_settings.SNAPSHOT_CACHE_SECONDS = 0
    django_settings.ORDERS_CACHE_SECONDS = 0
    # Staff and operators sign in with TOTP in production; suites that are not about sign-in
    # sign them in with a password alone. sso/tests turn the policy on where they test it.
    django_settings.PORTICO_TOTP_REQUIRED_FOR_STAFF = False


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Suites that commit data (browser, worker) run last, so the rest see only the session's
    own tenants."""
    committed = [
        i for i in items if i.get_closest_marker("browser") or i.get_closest_marker("worker")
    ]
    others = [i for i in items if i not in committed]
    items[:] = others + committed
