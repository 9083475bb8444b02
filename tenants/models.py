"""Tenants and their domains: the public schema's map of who lives where."""

from __future__ import annotations

import uuid

from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

from tenants.choices import SERVING_STATUSES, Plan, TenantStatus


class Tenant(TenantMixin):
    """One supplier: one Postgres schema, one or more domains.

    Guarantees: ``schema_name`` never changes once provisioned; rows are never deleted by the
    application (archiving takes a tenant out of routing); ``is_template`` marks the one migrated
    template schema that new tenants are cloned from (it has no domain and is never routed).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=63, unique=True)
    status = models.CharField(
        max_length=16, choices=TenantStatus.choices, default=TenantStatus.TRIAL
    )
    status_reason = models.TextField(blank=True, default="")
    status_changed_at = models.DateTimeField(null=True, blank=True)
    plan = models.CharField(max_length=16, choices=Plan.choices, default=Plan.STARTER)
    is_template = models.BooleanField(default=False)
    contact_email = models.EmailField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    # We provision by cloning a template schema (tenants.provisioning), never on save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_template"],
                condition=models.Q(is_template=True),
                name="tenants_single_template",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.schema_name})"

    @property
    def is_serving(self) -> bool:
        return self.status in SERVING_STATUSES


class Domain(DomainMixin):
    """A host name that routes to a tenant. One per tenant is primary (links are built from it).

    Domains of the platform's own base domain are verified at creation; custom domains are
    verified later (branding.domains).
    """

    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
