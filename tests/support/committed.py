"""For tests whose threads must see each other's commits (real concurrency on Postgres): a
supplier provisioned outside any test transaction, and dropped again with its schema, tenant and
domain rows when the caller is done with it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from conftest import TEST_PASSWORD


@contextmanager
def throwaway_supplier(name: str, prefix: str) -> Iterator[tuple[Any, Any, str]]:
    """``(tenant, administrator, host)`` of a new supplier (sub-domain ``<prefix>-<random>``); the
    caller holds ``django_db_blocker.unblock()``."""
    from tenants import routing
    from tenants.models import Domain, Tenant
    from tenants.services import SignupRequest, host_for, tenant_provision

    assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
    slug = f"{prefix}-{secrets.token_hex(4)}"
    tenant, admin = tenant_provision(
        actor=None,
        request=SignupRequest(name, slug, "Race Admin", f"admin@{slug}.test", TEST_PASSWORD),
    )
    connection.set_schema_to_public()
    try:
        yield tenant, admin, host_for(slug)
    finally:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE')
        Domain.objects.filter(tenant_id=tenant.pk).delete()
        Tenant.objects.filter(pk=tenant.pk).delete()
        routing.invalidate()
