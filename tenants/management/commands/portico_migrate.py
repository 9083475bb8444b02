"""``manage.py portico_migrate``: migrate only the schemas that need it.

``migrate_schemas`` visits every schema even when nothing is to be done (~0.1 s each, hours at
a few thousand tenants). This command reads every schema's migration records in one query,
compares them with the code's migration graph, and runs django-tenants' executor (``--executor``
``standard`` or ``multiprocessing``) only for the schemas that lag. ``--check`` reports and exits
non-zero when anything lags, without migrating.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.management.commands.migrate_schemas import (
    MigrateSchemasCommand,
)
from django_tenants.migration_executors import get_executor

from tenants import schema_clone
from tenants.models import Tenant


def _run_executor(schemas: list[str], codename: str, verbosity: int) -> None:
    """django-tenants' executor (standard or multiprocessing) over exactly ``schemas``, with
    the options ``migrate_schemas`` itself would pass."""
    parser = MigrateSchemasCommand().create_parser("manage.py", "migrate_schemas")
    options = vars(
        parser.parse_args(["--noinput", "--executor", codename, "--verbosity", str(verbosity)])
    )
    options["skip_checks"] = True
    get_executor(codename=codename)(args=[], options=options).run_migrations(tenants=schemas)


class Command(BaseCommand):
    help = "Migrate the public schema and every tenant schema that lags the code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--executor", default="standard", choices=["standard", "multiprocessing"]
        )
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options["verbosity"])
        public_lag = schema_clone.lagging_schemas(["public"])
        if public_lag and options["check"]:
            raise CommandError("the public schema lags: run manage.py portico_migrate")
        if public_lag:
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        schemas = list(
            Tenant.objects.exclude(schema_name="public").values_list("schema_name", flat=True)
        )
        lagging = schema_clone.lagging_schemas(schemas)
        if options["check"]:
            if lagging:
                names = sorted(lagging)
                raise CommandError(f"{len(names)} schema(s) lag: {', '.join(names[:20])}")
            self.stdout.write(f"all {len(schemas) + 1} schemas are current")
            return
        if lagging:
            _run_executor(sorted(lagging), options["executor"], verbosity)
        self.stdout.write(
            f"{len(schemas) + 1} schemas checked; migrated {len(lagging) + bool(public_lag)}"
        )
