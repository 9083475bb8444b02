"""The look of one portal."""

from __future__ import annotations

from django.db import models

from branding.choices import DEFAULT_ACCENT, DEFAULT_PRIMARY, FONT_STACKS, Font


def logo_path(instance: Theme, filename: str) -> str:
    # The storage adds the tenant prefix (core.storage); names here stay tenant-relative.
    suffix = filename.rsplit(".", 1)[-1].lower()
    return f"branding/logo-{instance.pk or 'new'}-{instance.revision}.{suffix}"


class Theme(models.Model):
    """One row per tenant schema (``singleton`` is always True and unique).

    Guarantees: colours are ``#rrggbb``; the logo is a checked PNG/JPEG/WebP under the tenant's
    storage prefix; ``revision`` grows with every change (cache busting for CSS and logo).
    """

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    display_name = models.CharField(max_length=80)
    logo = models.ImageField(upload_to=logo_path, blank=True)
    primary_color = models.CharField(max_length=7, default=DEFAULT_PRIMARY)
    accent_color = models.CharField(max_length=7, default=DEFAULT_ACCENT)
    font = models.CharField(max_length=16, choices=Font.choices, default=Font.SYSTEM)
    login_headline = models.CharField(max_length=120, blank=True, default="")
    login_message = models.TextField(max_length=500, blank=True, default="")
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Theme of {self.display_name}"

    @property
    def font_stack(self) -> str:
        return FONT_STACKS.get(self.font, FONT_STACKS[Font.SYSTEM])
