"""The append-only, hash-chained audit log (one per schema: each tenant, and the control plane)."""

from __future__ import annotations

import uuid

from django.db import models


class AuditEntry(models.Model):
    """One thing that happened: who, when, from where, what, to which object, what changed.

    Guarantees: rows are never updated or deleted (a database trigger refuses both); each row's
    ``hash`` covers its content and the previous row's hash, so editing or removing a row breaks
    the chain at that row (``manage.py audit_verify`` names it).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=254, blank=True, default="")
    actor_kind = models.CharField(max_length=16, default="system")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True, default="")
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    object_label = models.CharField(max_length=200, blank=True, default="")
    changes = models.JSONField(default=dict, blank=True)
    details = models.JSONField(default=dict, blank=True)
    correlation_id = models.CharField(max_length=64, blank=True, default="", db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor_id", "-id"]),
            models.Index(fields=["-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_label}"

    @property
    def action_label(self) -> str:
        """The action in plain words ("Signed in"), or its code if the code is not a known one."""
        from audit.choices import AuditAction

        try:
            return str(AuditAction(self.action).label)
        except ValueError:
            domain, _, verb = self.action.partition(".")
            words = verb.replace("_", " ") if verb else domain
            return f"{domain.replace('_', ' ').capitalize()}: {words}" if verb else words
