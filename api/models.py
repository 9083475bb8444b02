"""API keys of one portal."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class ApiKey(models.Model):
    """A key a supplier's systems use to call this portal's API.

    Guarantees: only the SHA-256 of the secret is stored (the full key is shown once, at
    creation); a revoked key never authenticates again; ``scopes`` limit what it may do.
    The key reads ``ptk_<prefix>_<secret>``; ``prefix`` is public and identifies it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (ptk_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
