"""``manage.py audit_verify [--schema NAME | --all]``: check the audit hash chain."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from audit.selectors import audit_verify_chain
from tenants.selectors import tenant_schema_names


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; names the first broken entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", default="public", help="schema to check (default public)")
        parser.add_argument("--all", action="store_true", help="check every tenant and public")

    def handle(self, *args: Any, **options: Any) -> None:
        schemas = ["public", *tenant_schema_names()] if options["all"] else [options["schema"]]
        broken = []
        for schema in schemas:
            with schema_context(schema):
                report = audit_verify_chain()
            if report.ok:
                self.stdout.write(f"{schema}: OK, {report.checked} entries")
            else:
                broken.append(schema)
                self.stdout.write(
                    f"{schema}: BROKEN at entry {report.broken_entry_id} "
                    f"({report.broken_public_id}): {report.reason}; "
                    f"{report.checked} entries before it are intact"
                )
        if broken:
            raise CommandError(f"audit chain broken in: {', '.join(broken)}")
