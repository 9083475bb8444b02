"""Portal-wide commercial settings (one row per tenant schema)."""

from __future__ import annotations

from django.db import models

from core.money import CURRENCY_CHOICES


class PortalSettings(models.Model):
    """The portal's currency and time zone ("today" for price validity and lead times).

    Guarantees: exactly one row (``singleton``); created with the tenant.
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")
    timezone = models.CharField(max_length=64, default="Europe/Amsterdam")

    class Meta:
        verbose_name_plural = "portal settings"

    def __str__(self) -> str:
        return f"{self.currency}, {self.timezone}"
