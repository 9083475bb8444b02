"""The per-schema outbox: side effects recorded with the change, delivered after commit."""

from __future__ import annotations

import uuid

from django.db import models

from outbox.choices import OutboxStatus


class OutboxMessage(models.Model):
    """A side effect to deliver (an e-mail, a webhook, an ERP push...).

    Guarantees: written in the same transaction as the change that causes it, so it exists iff
    the change committed; delivered at least once (handlers must be idempotent, and get the
    message's ``public_id`` as an idempotency key); retried with exponential backoff and jitter up
    to ``max_attempts``, then dead-lettered until replayed.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=8)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True, default="")
    correlation_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} [{self.status}]"
