"""``manage.py portico_bootstrap``: control-plane row and host, migrated template, operator.

Idempotent; ``make run`` and the test set-up call it after migrating.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django_tenants.utils import schema_context

from sso.choices import UserKind
from sso.models import User
from sso.services import user_create
from tenants.services import ensure_template, platform_ensure_public


class Command(BaseCommand):
    help = "Create the control-plane tenant, the template schema and the first operator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--operator-email", default=os.environ.get("PORTICO_OPERATOR_EMAIL"))
        parser.add_argument(
            "--operator-password", default=os.environ.get("PORTICO_OPERATOR_PASSWORD")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        platform_ensure_public()
        ensure_template()
        email, password = options["operator_email"], options["operator_password"]
        if email and password:
            with schema_context("public"):
                if not User.objects.filter(email=email.lower()).exists():
                    user_create(
                        actor=None,
                        email=email,
                        full_name="Platform operator",
                        password=password,
                        kind=UserKind.OPERATOR,
                    )
                    self.stdout.write(f"operator {email} created")
        self.stdout.write("bootstrap done")
