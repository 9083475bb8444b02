"""``manage.py portico_seed_demo``: the two demo suppliers (idempotent)."""

from typing import Any

from django.core.management.base import BaseCommand

from control_plane.demo import seed_demo


class Command(BaseCommand):
    help = "Seed the demo platform: two suppliers with themes and administrators."

    def handle(self, *args: Any, **options: Any) -> None:
        created = seed_demo()
        self.stdout.write(f"demo suppliers created: {', '.join(created) or 'none (already there)'}")
