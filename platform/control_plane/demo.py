"""The demo platform that ``make run`` seeds: two suppliers with their own look and admins."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image, ImageDraw

DEMO_PASSWORD = "Demo-portal-2026"  # noqa: S105  (printed by `make run`; demo only)


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


def seed_demo(stdout: io.TextIOBase | None = None) -> list[str]:
    """Provision the demo suppliers that do not exist yet; returns the sub-domains created."""
    from branding.services import theme_update
    from tenants.models import Tenant
    from tenants.services import SignupRequest, tenant_provision

    created = []
    for demo in DEMO_SUPPLIERS:
        if Tenant.objects.filter(slug=demo.subdomain).exists():
            continue
        tenant, admin = tenant_provision(
            actor=None,
            request=SignupRequest(
                demo.company,
                demo.subdomain,
                demo.admin_name,
                demo.admin_email,
                DEMO_PASSWORD,
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
        created.append(demo.subdomain)
    return created
