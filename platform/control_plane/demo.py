"""The demo platform that ``make run`` seeds: two suppliers with their own look and admins,
each with a catalogue of a few hundred products (``demo_catalogue``), price lists, and buyer
companies with teams and contract prices (``demo_customers``).

Idempotent: a supplier that exists is not provisioned again, and its catalogue and customers are
seeded only while it has no products and no companies (all of it in one transaction).
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django_tenants.utils import schema_context
from PIL import Image, ImageDraw

from control_plane import demo_companies as companies
from control_plane.demo_catalogue import ListPlan, seed_catalogue
from control_plane.demo_customers import DEMO_PASSWORD, DemoCompany, seed_customers
from control_plane.demo_orders import seed_orders
from control_plane.demo_trades import TRADES

DEFAULT_PRODUCTS = 360
__all__ = ["DEMO_PASSWORD", "DEMO_SUPPLIERS", "seed_demo"]


@dataclass(frozen=True)
class DemoSupplier:
    company: str
    subdomain: str
    admin_name: str
    admin_email: str
    primary: str
    accent: str
    font: str
    headline: str
    message: str
    warehouses: tuple[tuple[str, str], ...] = ()
    lists: tuple[ListPlan, ...] = ()
    companies: tuple[DemoCompany, ...] = ()

    @property
    def showcase(self) -> DemoCompany:
        """The company whose buyer ``make run`` prints (it has contract prices)."""
        return self.companies[0]


DEMO_SUPPLIERS = (
    DemoSupplier(
        "Northwind Industrial Supply",
        "northwind",
        "Nora Lindqvist",
        "admin@northwind.example",
        "#1d3557",
        "#b5179e",
        "inter",
        "Northwind trade portal",
        "Fasteners, tools and safety gear at your contract prices. Order until 4 pm, "
        "shipped the same day.",
        companies.NORTHWIND_WAREHOUSES,
        companies.NORTHWIND_LISTS,
        companies.NORTHWIND_COMPANIES,
    ),
    DemoSupplier(
        "Helio Lab Supplies",
        "helio",
        "Hugo Almeida",
        "admin@helio.example",
        "#2b6a4f",
        "#0b6e99",
        "system",
        "Helio lab ordering",
        "Consumables, glassware and reagents for your lab, with your negotiated prices.",
        companies.HELIO_WAREHOUSES,
        companies.HELIO_LISTS,
        companies.HELIO_COMPANIES,
    ),
)


def demo_logo(colour: str, letter: str) -> SimpleUploadedFile:
    """A small generated PNG logo: a rounded square in the brand colour with an initial."""
    image = Image.new("RGBA", (160, 160), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 152, 152), radius=28, fill=colour)
    draw.ellipse((44, 44, 116, 116), outline="white", width=10)
    draw.text((72, 64), letter, fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"{letter}.png", buffer.getvalue(), content_type="image/png")


def _say(stdout: io.TextIOBase | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _provision(demo: DemoSupplier) -> tuple[Any, bool]:
    """The supplier's tenant (provisioned and themed unless it exists), and whether it is new."""
    from branding.services import theme_update
    from tenants.models import Tenant
    from tenants.services import SignupRequest, tenant_provision

    existing = Tenant.objects.filter(slug=demo.subdomain).first()
    if existing is not None:
        return existing, False
    tenant, admin = tenant_provision(
        actor=None,
        request=SignupRequest(
            demo.company, demo.subdomain, demo.admin_name, demo.admin_email, DEMO_PASSWORD
        ),
    )
    with schema_context(tenant.schema_name):
        theme_update(
            actor=admin,
            display_name=demo.company,
            primary_color=demo.primary,
            accent_color=demo.accent,
            font=demo.font,
            login_headline=demo.headline,
            login_message=demo.message,
            logo=demo_logo(demo.primary, demo.company[0]),
        )
    return tenant, True


def _populate(demo: DemoSupplier, products: int) -> str | None:
    """Catalogue, price lists and customers of one supplier, in its schema and in one
    transaction; nothing when it has products or companies already. Returns a summary."""
    from commerce.catalog.models import Product
    from commerce.customers.models import Company
    from sso.models import User
    from tenants.services import host_for

    if Product.objects.exists() or Company.objects.exists():
        return None
    admin = User.objects.get(email=demo.admin_email)
    portal_url = f"{settings.PORTICO_SCHEME}://{host_for(demo.subdomain)}"
    portal_url += settings.PORTICO_PORT_SUFFIX
    with transaction.atomic():
        catalogue = seed_catalogue(
            actor=admin,
            trade=TRADES[demo.subdomain],
            count=products,
            warehouses=list(demo.warehouses),
            lists=list(demo.lists),
        )
        customers = seed_customers(
            actor=admin,
            companies=demo.companies,
            lists=catalogue.price_lists,
            portal_url=portal_url,
        )
        first = demo.companies[0]
        buyer = next(p for p in first.team if p.role == "buyer" and p.mailbox == "buyer")
        orders = seed_orders(admin=admin, company_name=first.name, buyer_email=first.email(buyer))
    return (
        f"{catalogue.products} products in {catalogue.categories} categories, "
        f"{catalogue.stock_rows} stock rows, {len(catalogue.price_lists)} price lists with "
        f"{catalogue.price_rows} prices, {customers.companies} companies, "
        f"{customers.members} members, {customers.pending_invitations} pending invitations, "
        f"{customers.contracts} contract prices, {orders.carriers} carriers, "
        f"{len(orders.orders)} orders for {first.name}"
    )


def seed_demo(
    stdout: io.TextIOBase | None = None, *, products_per_supplier: int = DEFAULT_PRODUCTS
) -> list[str]:
    """Provision the demo suppliers that do not exist yet and fill the empty ones; returns the
    sub-domains that were provisioned or filled."""
    touched = []
    for demo in DEMO_SUPPLIERS:
        started = time.perf_counter()
        tenant, created = _provision(demo)
        with schema_context(tenant.schema_name):
            summary = _populate(demo, products_per_supplier)
        if summary is not None or created:
            touched.append(demo.subdomain)
        if summary is not None:
            _say(stdout, f"{demo.subdomain}: {summary} ({time.perf_counter() - started:.1f} s)")
    return touched
