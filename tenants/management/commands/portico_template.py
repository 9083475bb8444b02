"""``manage.py portico_template [--check | --rebuild]``: the schema new tenants are cloned from."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants import schema_clone
from tenants.services import ensure_template, template_rebuild


class Command(BaseCommand):
    help = "Check, update or rebuild the template schema."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="only report lag; exit 1 if any")
        parser.add_argument("--rebuild", action="store_true", help="drop and migrate from scratch")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            lag = schema_clone.template_lag()
            if lag:
                raise CommandError(f"template lags {len(lag)} migrations: {sorted(lag)[:10]}")
            self.stdout.write("template is current")
            return
        template = template_rebuild() if options["rebuild"] else ensure_template()
        self.stdout.write(f"template {template.schema_name} is current")
