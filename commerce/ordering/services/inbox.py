"""The user's in-app notifications: open one (marking it read) or mark them all read.

A notification belongs to one user; anyone else's id is "not found", like an id that does not
exist. Reading a notification changes only its ``read_at``; it is not audited (it changes
nothing about an order).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from commerce.ordering.models import Notification
from core.errors import NotFound
from core.ids import parse_uuid


def notification_open(*, actor: Any, public_id: Any) -> Notification:
    """The actor's notification ``public_id``, marked read (once: a second open keeps the first
    time)."""
    wanted = parse_uuid(public_id)
    if wanted is None or not getattr(actor, "is_authenticated", False):
        raise NotFound("There is no such notification.")
    with transaction.atomic():
        found = (
            Notification.objects.select_for_update()
            .filter(user_id=actor.pk, public_id=wanted)
            .first()
        )
        if found is None:
            raise NotFound("There is no such notification.")
        if found.read_at is None:
            found.read_at = timezone.now()
            found.save(update_fields=["read_at"])
    return found


def notifications_mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification of the actor read; returns how many were unread."""
    if not getattr(actor, "is_authenticated", False):
        raise NotFound()
    with transaction.atomic():
        return Notification.objects.filter(user_id=actor.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
