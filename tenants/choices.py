"""Enumerations and transition tables of the tenants domain."""

from django.db import models


class TenantStatus(models.TextChoices):
    TRIAL = "trial", "Trial"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    ARCHIVED = "archived", "Archived"


class Plan(models.TextChoices):
    STARTER = "starter", "Starter"
    GROWTH = "growth", "Growth"
    ENTERPRISE = "enterprise", "Enterprise"


# Lifecycle moves an operator may make. Archived is final: the portal is gone from routing.
TENANT_STATUS_TRANSITIONS: dict[str, set[str]] = {
    TenantStatus.TRIAL: {TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.ARCHIVED},
    TenantStatus.ACTIVE: {TenantStatus.SUSPENDED, TenantStatus.ARCHIVED},
    TenantStatus.SUSPENDED: {TenantStatus.ACTIVE, TenantStatus.ARCHIVED},
    TenantStatus.ARCHIVED: set(),
}

# Statuses in which a portal serves its pages.
SERVING_STATUSES = {TenantStatus.TRIAL, TenantStatus.ACTIVE}

# Sub-domains no supplier may take: our own hosts, common infrastructure names, and words that
# would let a portal pose as the platform.
RESERVED_SUBDOMAINS = frozenset(
    {
        "admin",
        "administrator",
        "api",
        "app",
        "apps",
        "assets",
        "auth",
        "billing",
        "blog",
        "cdn",
        "console",
        "control",
        "dashboard",
        "dev",
        "docs",
        "email",
        "ftp",
        "help",
        "id",
        "imap",
        "internal",
        "login",
        "mail",
        "media",
        "metrics",
        "mx",
        "ns1",
        "ns2",
        "operator",
        "operators",
        "platform",
        "pop",
        "portal",
        "portico",
        "public",
        "root",
        "saml",
        "signup",
        "smtp",
        "sso",
        "staging",
        "static",
        "status",
        "stripe",
        "support",
        "system",
        "template",
        "test",
        "webhooks",
        "www",
    }
)
