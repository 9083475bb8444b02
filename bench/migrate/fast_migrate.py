"""Prototype of a fast ``migrate_schemas``: find the schemas that lag in one query, migrate only
those.

    .venv/bin/python bench/migrate/fast_migrate.py [--check] [--executor standard|multiprocessing]

Design (to move into the app, e.g. ``tenants/migrations_at_scale.py`` + ``manage.py
portico_migrate``):

1. Expected = every node of the code's migration graph (``MigrationLoader(None)``), which is what
   django-tenants records in every schema (all apps' migrations are recorded everywhere; the
   router only skips the operations). With no connection the loader keeps squashed migrations
   and drops what they replace, and Django's ``migrate`` records a squash once all it replaces
   are applied, so a migrated schema holds every expected node.
2. One round trip per 500 schemas: ``SELECT s, count(DISTINCT (app, name)) FROM (SELECT 's1' AS
   s, app, name FROM "s1".django_migrations UNION ALL ...) a JOIN unnest(expected) e USING (app,
   name) GROUP BY s``, over the public schema and every tenant row (the template included),
   restricted to schemas that have a ``django_migrations`` table.
3. A schema lags if its count is below ``len(expected)`` or it has no table. Nothing lags →
   exit after one query (no per-schema loader, no system checks, no post_migrate signal).
4. Otherwise: system checks once, then public (``--shared``) if it lags, then the template, then
   the lagging tenants through django-tenants' own executor (``standard`` or
   ``multiprocessing``) with ``skip_checks`` so the checks do not run again per schema.

``--check`` only reports (exit 1 if anything lags), like ``migrate_schemas --check``. Prints one
JSON line of timings last, which ``bench/migrate/run.py`` reads.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[2]
for _path in (str(_ROOT / "platform"), str(_ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

CHUNK = 500


def expected_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def lagging_schemas(schemas: list[str], expected: set[tuple[str, str]]) -> dict[str, int]:
    """``{schema: number of expected migrations it has not recorded}`` for lagging schemas."""
    from django.db import connection
    from psycopg import sql

    apps = [app for app, _ in sorted(expected)]
    names = [name for _, name in sorted(expected)]
    counts: dict[str, int] = {}
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND c.relkind = 'r' "
            "AND n.nspname = ANY(%s)",
            [schemas],
        )
        with_table = sorted(row[0] for row in cursor.fetchall())
        for start in range(0, len(with_table), CHUNK):
            chunk = with_table[start : start + CHUNK]
            union = sql.SQL(" UNION ALL ").join(
                sql.SQL("SELECT {} AS s, app, name FROM {}.django_migrations").format(
                    sql.Literal(schema), sql.Identifier(schema)
                )
                for schema in chunk
            )
            query = sql.SQL(
                "SELECT a.s, count(DISTINCT (a.app, a.name)) FROM ({}) a "
                "JOIN unnest(%s::text[], %s::text[]) AS e(app, name) "
                "ON e.app = a.app AND e.name = a.name GROUP BY a.s"
            ).format(union)
            cursor.execute(query, [apps, names])
            counts.update({schema: int(n) for schema, n in cursor.fetchall()})
    return {
        schema: len(expected) - counts.get(schema, 0)
        for schema in schemas
        if counts.get(schema, 0) < len(expected)
    }


def all_schemas() -> list[str]:
    from django.conf import settings
    from django_tenants.utils import get_public_schema_name, get_tenant_model

    public = get_public_schema_name()
    tenants = (
        get_tenant_model()
        .objects.exclude(schema_name=public)
        .order_by("schema_name")
        .values_list("schema_name", flat=True)
    )
    template = settings.PORTICO_TEMPLATE_SCHEMA
    ordered = sorted(tenants, key=lambda s: (s != template, s))  # the template first
    return [public, *ordered]


def migrate_options(executor: str, verbosity: int) -> dict[str, Any]:
    """The options ``migrate_schemas`` would pass its executor, as parsed from a command line."""
    from django_tenants.management.commands.migrate_schemas import Command

    parser = Command().create_parser("manage.py", "migrate_schemas")
    options = vars(
        parser.parse_args(["--noinput", f"--executor={executor}", f"--verbosity={verbosity}"])
    )
    options["skip_checks"] = True  # run once below, not once per schema
    return options


def migrate(lagging: list[str], executor: str, verbosity: int) -> None:
    from django.core import checks
    from django.core.management.base import CommandError
    from django_tenants.migration_executors import get_executor
    from django_tenants.utils import get_public_schema_name

    errors = [
        issue for issue in checks.run_checks(include_deployment_checks=False) if issue.is_serious()
    ]
    if errors:
        raise CommandError("system checks failed: " + "; ".join(str(e) for e in errors))
    options = migrate_options(executor, verbosity)
    public = get_public_schema_name()
    if public in lagging:
        get_executor("standard")((), options).run_migrations(tenants=[public])
    tenants = [schema for schema in lagging if schema != public]
    if tenants:
        get_executor(executor)((), options).run_migrations(tenants=tenants)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="report lagging schemas only")
    parser.add_argument("--executor", default="standard", choices=["standard", "multiprocessing"])
    parser.add_argument("--verbosity", type=int, default=1)
    args = parser.parse_args()

    started = time.perf_counter()
    import django

    django.setup()
    setup = time.perf_counter() - started

    t0 = time.perf_counter()
    expected = expected_migrations()
    schemas = all_schemas()
    lag = lagging_schemas(schemas, expected)
    check_seconds = time.perf_counter() - t0
    lagging = [schema for schema in schemas if schema in lag]  # public, template, tenants
    if args.verbosity:
        print(
            f"{len(lagging)} of {len(schemas)} schemas lag "
            f"({len(expected)} migrations expected): {lagging[:10]}",
            file=sys.stderr,
        )

    t1 = time.perf_counter()
    if lagging and not args.check:
        migrate(lagging, args.executor, args.verbosity)
    migrate_seconds = time.perf_counter() - t1
    print(
        json.dumps(
            {
                "schemas": len(schemas),
                "lagging": len(lagging),
                "expected": len(expected),
                "setup_s": setup,
                "check_s": check_seconds,
                "migrate_s": migrate_seconds,
            }
        )
    )
    if args.check and lagging:
        sys.exit(1)


if __name__ == "__main__":
    main()
