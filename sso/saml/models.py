"""SAML connections of one portal (tenant schema), their discovery domains, the assertions
already used, and the last refusals shown to administrators."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from sso.saml.choices import Audience


class SamlConnection(models.Model):
    """One identity provider (IdP) trusted to sign in either the members of one buyer company
    or the supplier's staff.

    Guarantees (kept by ``services``): ``company`` is set exactly when ``audience`` is
    ``company``; ``certificates`` holds at least one PEM certificate; ``role_map`` values and
    ``default_role`` are roles of the audience (buyer roles for a company, staff roles for
    staff); IdP-initiated logins are refused unless ``allow_idp_initiated``.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120)
    audience = models.CharField(max_length=16, choices=Audience.choices)
    company = models.ForeignKey(
        "customers.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saml_connections",
    )
    idp_entity_id = models.CharField(max_length=500)
    idp_sso_url = models.URLField(max_length=500)
    certificates = models.TextField(help_text="PEM certificates of the IdP's signing keys")
    attr_email = models.CharField(max_length=200, blank=True, default="")
    attr_first_name = models.CharField(max_length=200, blank=True, default="")
    attr_last_name = models.CharField(max_length=200, blank=True, default="")
    attr_full_name = models.CharField(max_length=200, blank=True, default="")
    attr_role = models.CharField(max_length=200, blank=True, default="")
    role_map = models.JSONField(default=dict, blank=True)
    default_role = models.CharField(max_length=32)
    jit_enabled = models.BooleanField(default=False)
    saml_only = models.BooleanField(default=False)
    allow_idp_initiated = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(audience=Audience.COMPANY, company__isnull=False)
                    | models.Q(audience=Audience.STAFF, company__isnull=True)
                ),
                name="saml_connection_company_iff_company_audience",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def domains(self) -> list[str]:
        return [d.domain for d in self.email_domains.all()]


class SamlDomain(models.Model):
    """An e-mail domain that leads to ``connection`` on the login page. A domain belongs to
    at most one connection of a portal (unique in the schema)."""

    connection = models.ForeignKey(
        SamlConnection, on_delete=models.CASCADE, related_name="email_domains"
    )
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class SamlAssertionUse(models.Model):
    """An assertion that was accepted once. The unique assertion id (and the unique request id
    it answered) make a replay fail in the database, in the same transaction as the login, so
    concurrent posts of one response give exactly one login. Kept until ``expires_at``."""

    connection = models.ForeignKey(SamlConnection, on_delete=models.CASCADE, related_name="+")
    assertion_id = models.CharField(max_length=256, unique=True)
    request_id = models.CharField(max_length=256, null=True, blank=True, unique=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.assertion_id


class SamlLoginError(models.Model):
    """A refused login through ``connection``, in plain words, for the connection's page. Only
    the latest few per connection are kept."""

    connection = models.ForeignKey(
        SamlConnection, on_delete=models.CASCADE, related_name="login_errors"
    )
    reason = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    detail = models.CharField(max_length=500, blank=True, default="")
    email = models.CharField(max_length=254, blank=True, default="")
    test = models.BooleanField(default=False)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.reason} at {self.at:%Y-%m-%d %H:%M}"
