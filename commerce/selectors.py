"""Reads for the back-office dashboard."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from audit.models import AuditEntry
from branding.models import Theme
from commerce.catalog.models import Product
from commerce.customers.models import Invitation, Membership
from commerce.models import PortalSettings
from core.snapshots import snapshot


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    title: str
    description: str
    url: str
    done: bool


def onboarding_checklist() -> list[ChecklistItem]:
    """The first-run checklist: each item is done when the portal shows it really is."""
    theme = Theme.objects.filter(singleton=True).first()
    branded = bool(theme and (theme.logo or theme.revision > 1))
    has_products = Product.objects.exists()
    has_customers = Membership.objects.exists() or Invitation.objects.exists()
    return [
        ChecklistItem(
            "brand",
            "Brand your portal",
            "Add your logo and colours; buyers see them on every page and e-mail.",
            "/backoffice/theme/",
            branded,
        ),
        ChecklistItem(
            "products",
            "Add products",
            "Import your catalogue from a CSV file or add products one by one.",
            "/backoffice/catalogue/",
            has_products,
        ),
        ChecklistItem(
            "customers",
            "Invite customers",
            "Create your customer companies and invite their buyers.",
            "/backoffice/companies/",
            has_customers,
        ),
    ]


def recent_activity(limit: int = 10) -> list[AuditEntry]:
    return list(AuditEntry.objects.order_by("-id")[:limit])


def portal_settings() -> PortalSettings:
    """The current schema's settings (its migration creates the row, so every schema has it),
    from a snapshot when fresh (``core.snapshots``)."""
    return snapshot("portal-settings", lambda: PortalSettings.objects.get(singleton=True))


def portal_zone(settings_row: PortalSettings | None = None) -> zoneinfo.ZoneInfo:
    """The supplier's time zone: its calendar days, the dates and times its people read."""
    return zoneinfo.ZoneInfo((settings_row or portal_settings()).timezone)


def portal_today(settings_row: PortalSettings | None = None) -> date:
    """Today's date where the supplier is: price validity and lead times count from it.
    Pass the settings when the caller has them already (one query less)."""
    return timezone.now().astimezone(portal_zone(settings_row)).date()
