"""``manage.py outbox_replay --schema S (--id PUBLIC_ID ... | --all-dead)``."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from outbox.choices import OutboxStatus
from outbox.models import OutboxMessage
from outbox.services import outbox_replay
from tenants.selectors import tenant_schema_names


class Command(BaseCommand):
    help = "Replay dead-lettered outbox messages of one schema."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schema", required=True)
        parser.add_argument("--id", action="append", default=[], dest="ids")
        parser.add_argument("--all-dead", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["ids"] and not options["all_dead"]:
            raise CommandError("Say which messages: --id PUBLIC_ID (repeatable) or --all-dead.")
        schema = options["schema"]
        if schema != "public" and schema not in tenant_schema_names():
            raise CommandError(
                f"No tenant schema {schema!r}; see manage.py portico_migrate --check."
            )
        try:
            ids = [uuid.UUID(raw) for raw in options["ids"]]
        except ValueError as exc:
            raise CommandError(f"--id takes a message's public id (a UUID): {exc}") from exc
        options["ids"] = [str(i) for i in ids]
        with schema_context(schema):
            qs = OutboxMessage.objects.filter(status=OutboxStatus.DEAD)
            if options["ids"]:
                qs = qs.filter(public_id__in=options["ids"])
            messages = list(qs)
            if options["ids"] and len(messages) != len(set(options["ids"])):
                found = {str(m.public_id) for m in messages}
                missing = sorted(set(options["ids"]) - found)
                raise CommandError(f"Not dead-lettered or unknown: {', '.join(missing)}")
            for message in messages:
                outbox_replay(message=message)
                self.stdout.write(f"replayed {message.public_id} ({message.kind})")
        self.stdout.write(f"{len(messages)} message(s) queued again")
