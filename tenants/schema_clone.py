"""Making a tenant schema: clone the migrated template schema, or migrate from scratch.

The template (``settings.PORTICO_TEMPLATE_SCHEMA``) is a Tenant row with ``is_template=True``,
so ``migrate_schemas`` keeps it migrated with every other schema. Before each clone we check it
against the code's migration graph; a template that lags is migrated forward first (and rebuilt
from scratch if that fails). After each clone the new schema is compared with the template
(tables, columns, constraints, indexes, triggers, applied migrations): a mismatch aborts the
provisioning transaction, so a tenant with missing tables can never be created.

Cloning replays the template's own catalog: tables (``LIKE ... INCLUDING DEFAULTS IDENTITY
GENERATED CONSTRAINTS``), then every named constraint, index, function and trigger, then the
rows of tables that have any (migration records, content types, permissions). The DDL script is
built once per template state and reused.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from psycopg import sql

from core.tenancy import db

logger = logging.getLogger(__name__)


class CloneVerificationError(RuntimeError):
    """The cloned schema does not match the template."""


def expected_migrations() -> set[tuple[str, str]]:
    """Every migration the code defines (django-tenants records all apps' in each schema)."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    return set(loader.graph.nodes)


def applied_in(schema: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [f'"{schema}".django_migrations'])
        if not cursor.fetchone()[0]:
            return set()
        cursor.execute(
            sql.SQL("SELECT app, name FROM {}.django_migrations").format(sql.Identifier(schema))
        )
        return {(app, name) for app, name in cursor.fetchall()}


def schema_exists(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema])
        return cursor.fetchone() is not None


def template_lag(schema: str | None = None) -> set[tuple[str, str]]:
    """Migrations the code has and the template has not applied (empty when current)."""
    schema = schema or settings.PORTICO_TEMPLATE_SCHEMA
    return expected_migrations() - applied_in(schema)


def migrate_schema(schema: str) -> None:
    call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)


# --- catalog → DDL --------------------------------------------------------------------------

_TABLES_SQL = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(s)s AND c.relkind IN ('r', 'p') ORDER BY c.relname
"""
_CONSTRAINTS_SQL = """
SELECT cl.relname, con.conname, pg_get_constraintdef(con.oid), con.contype
FROM pg_constraint con
JOIN pg_class cl ON cl.oid = con.conrelid
JOIN pg_namespace n ON n.oid = cl.relnamespace
WHERE n.nspname = %(s)s AND con.contype IN ('p', 'u', 'f', 'x')
ORDER BY CASE con.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'x' THEN 2 ELSE 3 END,
         cl.relname, con.conname
"""
_INDEXES_SQL = """
SELECT pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x')
WHERE n.nspname = %(s)s AND con.oid IS NULL
ORDER BY ic.relname
"""
_FUNCTIONS_SQL = """
SELECT pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = %(s)s ORDER BY p.proname
"""
_TRIGGERS_SQL = """
SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(s)s AND NOT t.tgisinternal ORDER BY t.tgname
"""
_ROWS_SQL = "SELECT EXISTS (SELECT 1 FROM {}.{})"
_IDENTITY_SQL = """
SELECT c.relname, a.attname FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(s)s AND a.attidentity <> '' AND c.relkind = 'r'
"""

_PLACEHOLDER = "__portico_clone_target__"


@dataclass(frozen=True)
class CloneScript:
    fingerprint: str
    statements: list[str]


_script_lock = threading.Lock()
_script_cache: dict[str, CloneScript] = {}


def _template_fingerprint(template: str) -> str:
    applied = sorted(applied_in(template))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(max(c.oid::bigint), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
            [template],
        )
        count, max_oid = cursor.fetchone()
    raw = f"{template}|{applied}|{count}|{max_oid}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _retarget(definition: str, template: str) -> str:
    """Point a catalog definition's references to the template at the target schema."""
    quoted = '"' + template.replace('"', '""') + '"'
    target = f'"{_PLACEHOLDER}".'
    return definition.replace(f"{quoted}.", target).replace(f"{template}.", target)


def _build_script(template: str) -> list[str]:
    """DDL and data statements with ``__portico_clone_target__`` for the new schema."""
    src = sql.Identifier(template)
    dst = sql.Identifier(_PLACEHOLDER)
    statements: list[str] = []
    with connection.cursor() as cursor:
        # Unqualified names in the definitions below resolve to the template only; run against
        # the target's search_path they resolve to the target.
        cursor.execute(sql.SQL("SET LOCAL search_path = {}").format(src))
        params = {"s": template}
        cursor.execute(_TABLES_SQL, params)
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            t = sql.Identifier(table)
            statements.append(
                sql.SQL(
                    "CREATE TABLE {}.{} (LIKE {}.{} INCLUDING DEFAULTS INCLUDING IDENTITY "
                    "INCLUDING GENERATED INCLUDING CONSTRAINTS INCLUDING STORAGE)"
                )
                .format(dst, t, src, t)
                .as_string(cursor.connection)
            )
        cursor.execute(_CONSTRAINTS_SQL, params)
        for table, name, definition, _kind in cursor.fetchall():
            statements.append(
                sql.SQL("ALTER TABLE {}.{} ADD CONSTRAINT {} ")
                .format(dst, sql.Identifier(table), sql.Identifier(name))
                .as_string(cursor.connection)
                + _retarget(definition, template)
            )
        for query in (_INDEXES_SQL, _FUNCTIONS_SQL, _TRIGGERS_SQL):
            cursor.execute(query, params)
            statements.extend(_retarget(row[0], template) for row in cursor.fetchall())
        for table in tables:
            t = sql.Identifier(table)
            cursor.execute(sql.SQL(_ROWS_SQL).format(src, t))
            if cursor.fetchone()[0]:
                statements.append(
                    sql.SQL("INSERT INTO {}.{} SELECT * FROM {}.{}")
                    .format(dst, t, src, t)
                    .as_string(cursor.connection)
                )
        cursor.execute(_IDENTITY_SQL, params)
        for table, column in cursor.fetchall():
            target = sql.SQL("{}.{}").format(dst, sql.Identifier(table))
            statements.append(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({}, {}), "
                    "coalesce((SELECT max({}) FROM {}), 0) + 1, false)"
                )
                .format(
                    sql.Literal(target.as_string(cursor.connection)),
                    sql.Literal(column),
                    sql.Identifier(column),
                    target,
                )
                .as_string(cursor.connection)
            )
        cursor.execute("SET LOCAL search_path = public")
    return statements


def clone_script(template: str) -> CloneScript:
    fingerprint = _template_fingerprint(template)
    with _script_lock:
        cached = _script_cache.get(template)
        if cached is not None and cached.fingerprint == fingerprint:
            return cached
    script = CloneScript(fingerprint=fingerprint, statements=_build_script(template))
    db().search_path_set_schemas = None  # the build moved the search path
    with _script_lock:
        _script_cache[template] = script
    return script


def _shape(schema: str) -> dict[str, list[Any]]:
    """A comparable description of a schema: columns, constraints, indexes, triggers, data."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type, is_nullable, coalesce(is_identity, '') "
            "FROM information_schema.columns WHERE table_schema = %s "
            "ORDER BY table_name, ordinal_position",
            [schema],
        )
        columns = cursor.fetchall()
        cursor.execute(
            "SELECT cl.relname, con.conname, con.contype FROM pg_constraint con "
            "JOIN pg_class cl ON cl.oid = con.conrelid JOIN pg_namespace n "
            "ON n.oid = cl.relnamespace WHERE n.nspname = %s ORDER BY 1, 2",
            [schema],
        )
        constraints = [row for row in cursor.fetchall() if row[2] != "n"]
        cursor.execute(
            "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = %s ORDER BY 1, 2",
            [schema],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND NOT t.tgisinternal ORDER BY 1, 2",
            [schema],
        )
        triggers = cursor.fetchall()
    return {
        "columns": columns,
        "constraints": constraints,
        "indexes": indexes,
        "triggers": triggers,
        "migrations": sorted(applied_in(schema)),
    }


def missing_model_columns(schema: str) -> list[str]:
    """``table.column`` of every tenant model field the schema lacks (empty when complete).

    Checks the schema against the code's models, not against the migration records, so a
    schema whose records say "applied" but whose tables are missing is caught.
    """
    from django.apps import apps

    tenant_labels = {
        config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = %s",
            [schema],
        )
        present = set(cursor.fetchall())
    missing = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label not in tenant_labels or not meta.managed or meta.proxy:
            continue
        for field in meta.local_concrete_fields:
            if (meta.db_table, field.column) not in present:
                missing.append(f"{meta.db_table}.{field.column}")
    return sorted(missing)


def verify_clone(template: str, schema: str) -> None:
    """Raise ``CloneVerificationError`` naming the first difference between the two schemas,
    or between the new schema and the code's models."""
    missing = missing_model_columns(schema)
    if missing:
        raise CloneVerificationError(f"schema {schema} lacks {missing[:5]}")
    expected, actual = _shape(template), _shape(schema)
    for part, want in expected.items():
        got = actual[part]
        if got != want:
            missing = sorted(set(want) - set(got))[:5]
            extra = sorted(set(got) - set(want))[:5]
            raise CloneVerificationError(
                f"schema {schema} differs from template {template} in {part}: "
                f"missing {missing}, unexpected {extra}"
            )
    lag = expected_migrations() - {tuple(m) for m in actual["migrations"]}
    if lag:
        raise CloneVerificationError(f"schema {schema} lacks migrations {sorted(lag)[:5]}")


def clone_schema(template: str, schema: str) -> None:
    """Create ``schema`` as a copy of ``template`` inside the current transaction."""
    script = clone_script(template)
    body = ";\n".join(script.statements).replace(_PLACEHOLDER, schema)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        cursor.execute(sql.SQL("SET LOCAL search_path = {}, public").format(sql.Identifier(schema)))
        cursor.execute(body)
        cursor.execute("SET LOCAL search_path = public")
    db().search_path_set_schemas = None


def lagging_schemas(schemas: list[str]) -> dict[str, set[tuple[str, str]]]:
    """For each schema, the code's migrations it has not applied — in one query for all of
    them. Schemas that are current are left out of the answer."""
    expected = expected_migrations()
    if not schemas:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'django_migrations' AND table_schema = ANY(%s)",
            [schemas],
        )
        with_table = {row[0] for row in cursor.fetchall()}
        applied: dict[str, set[tuple[str, str]]] = {s: set() for s in schemas}
        parts = [
            sql.SQL("SELECT {}, app, name FROM {}.django_migrations").format(
                sql.Literal(s), sql.Identifier(s)
            )
            for s in schemas
            if s in with_table
        ]
        for start in range(0, len(parts), 500):
            cursor.execute(sql.SQL(" UNION ALL ").join(parts[start : start + 500]))
            for schema, app, name in cursor.fetchall():
                applied[schema].add((app, name))
    lag = {s: expected - applied[s] for s in schemas}
    return {s: missing for s, missing in lag.items() if missing}
