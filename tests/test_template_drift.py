"""New tenants are cloned from a template schema that must never lag the code."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import schema_context

from tenants import schema_clone
from tenants.services import SignupRequest, tenant_provision

TEMPLATE = settings.PORTICO_TEMPLATE_SCHEMA


def _trigger_exists(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND t.tgname = 'audit_entry_append_only'",
            [schema],
        )
        return cursor.fetchone() is not None


def _provision(slug: str):
    return tenant_provision(
        actor=None,
        request=SignupRequest(
            f"Drift {slug}", slug, "Drew Drift", f"drew@{slug}.test", "Sturdy-Bolt-Washer-7"
        ),
    )[0]


def test_a_migration_added_after_the_template_was_built_reaches_new_tenants(tenants):
    # Given a template built before audit.0002 existed (we roll the template back past it).
    call_command("migrate_schemas", "audit", "0001", schema_name=TEMPLATE, verbosity=0)
    connection.set_schema_to_public()
    assert ("audit", "0002_append_only") in schema_clone.template_lag()
    assert not _trigger_exists(TEMPLATE)

    tenant = _provision("drift-one")

    assert _trigger_exists(tenant.schema_name)
    assert ("audit", "0002_append_only") in schema_clone.applied_in(tenant.schema_name)
    assert schema_clone.template_lag() == set()  # the template was brought up to date


def test_a_template_that_records_migrations_but_lacks_tables_is_rebuilt(tenants):
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{TEMPLATE}".api_apikey')
    assert "api_apikey.id" in schema_clone.missing_model_columns(TEMPLATE)

    tenant = _provision("drift-two")

    assert schema_clone.missing_model_columns(tenant.schema_name) == []
    assert schema_clone.missing_model_columns(TEMPLATE) == []


def test_clone_verification_refuses_a_schema_that_differs(tenants):
    schema_clone.clone_schema(TEMPLATE, "t_clone_ok")
    schema_clone.verify_clone(TEMPLATE, "t_clone_ok")  # an intact clone passes
    with connection.cursor() as cursor:
        cursor.execute('DROP TABLE "t_clone_ok".branding_theme')
    with pytest.raises(schema_clone.CloneVerificationError, match="lacks"):
        schema_clone.verify_clone(TEMPLATE, "t_clone_ok")


def test_cloned_schema_is_usable_and_independent(alpha, beta):
    """Identity sequences are per schema: ids repeat across tenants, never collide."""
    from audit.services import audit_record

    with schema_context(alpha.schema):
        a = audit_record(action="test.seq")
    with schema_context(beta.schema):
        b = audit_record(action="test.seq")
    assert a.id > 0 and b.id > 0
    with schema_context(alpha.schema):
        from audit.models import AuditEntry

        assert not AuditEntry.objects.filter(public_id=b.public_id).exists()
