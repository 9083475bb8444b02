"""``manage.py portico_seed_demo``: the two demo suppliers with catalogues and customers
(idempotent)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from control_plane.demo import DEFAULT_PRODUCTS, seed_demo


class Command(BaseCommand):
    help = (
        "Seed the demo platform: two suppliers with themes, administrators, catalogues, price "
        "lists and buyer companies with teams."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--products",
            type=int,
            default=DEFAULT_PRODUCTS,
            help=f"products per supplier (default {DEFAULT_PRODUCTS})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        touched = seed_demo(self.stdout, products_per_supplier=options["products"])
        self.stdout.write(
            f"demo suppliers seeded: {', '.join(touched) or 'none (already there)'} "
            f"({time.perf_counter() - started:.1f} s)"
        )
