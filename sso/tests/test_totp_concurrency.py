"""One code sent twenty times at once, on real PostgreSQL with real threads: exactly one
sign-in step succeeds. Same for one backup code.

Each thread has its own connection in the tenant's schema and a ``threading.Barrier`` releases
them together. Threads see only committed rows, so this module commits, into a tenant
provisioned for it and dropped at the end (as ``commerce/ordering/tests/test_concurrency.py``
does, for the same reasons).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from sso.models import User
from sso.ratelimit import RateLimited
from sso.services import twofactor
from sso.tests.support import code_for, enrolled, staff
from tests.support.committed import throwaway_supplier

RACE_TIMEOUT = 30
THREADS = 20


@pytest.fixture
def db(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Committed database access (the threads see only committed rows)."""
    assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="module")
def shop(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), throwaway_supplier("Otp Race", "otpconc") as (tenant, _, _):
        yield str(tenant.schema_name)


@pytest.fixture
def generous_limits(settings):
    """Only the device decides here: the account and IP limits stay out of the way."""
    settings.PORTICO_RATE_LIMITS = {
        **settings.PORTICO_RATE_LIMITS,
        "otp:account": (1000, 900),
        "otp:ip": (1000, 900),
    }


def race(schema: str, user_pk: int, code: str) -> list[bool]:
    barrier = threading.Barrier(THREADS)

    def run() -> bool:
        try:
            with schema_context(schema):
                connection.ensure_connection()
                user = User.objects.get(pk=user_pk)
                barrier.wait(timeout=RACE_TIMEOUT)
                try:
                    return twofactor.second_factor_check(user=user, code=code).error is None
                except RateLimited:
                    return False
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        futures = [pool.submit(run) for _ in range(THREADS)]
        return [future.result(timeout=RACE_TIMEOUT) for future in futures]


def test_twenty_concurrent_submissions_of_one_code_make_one_success(db, shop, generous_limits):
    with schema_context(shop):
        user = staff(email=f"race-{secrets.token_hex(3)}@race.test")
        device = enrolled(user)
        code = code_for(device)

    outcomes = race(shop, user.pk, code)

    assert outcomes.count(True) == 1, outcomes
    with schema_context(shop):
        device = TOTPDevice.objects.get(pk=device.pk)
        assert device.last_t >= 0
        # Every other submission was refused: the row lock made each one see last_t moved.
        again = twofactor.second_factor_check(user=user, code=code)
        assert again.error is not None


def test_twenty_concurrent_uses_of_one_backup_code_make_one_success(db, shop, generous_limits):
    with schema_context(shop):
        user = staff(email=f"backup-{secrets.token_hex(3)}@race.test")
        device = enrolled(user)
        codes = twofactor.backup_codes_regenerate(actor=user, code=code_for(device))

    outcomes = race(shop, user.pk, codes[0])

    assert outcomes.count(True) == 1, outcomes
    with schema_context(shop):
        assert StaticToken.objects.filter(device__user=user).count() == 9
