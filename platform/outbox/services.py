"""Writing to the outbox and moving messages through delivery."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.choices import AuditAction
from audit.services import audit_record
from core import context
from core.tenancy import current_schema
from outbox.choices import OUTBOX_STATUS_TRANSITIONS, OutboxStatus
from outbox.handlers import handler_for
from outbox.models import OutboxMessage


def backoff_seconds(attempts: int) -> float:
    """Exponential backoff with "equal" jitter: uniform in [d/2, d] for d = base·2^(n-1), capped.

    Half the delay is guaranteed (no retry storm right after a failure), half is random (retries
    of many messages spread out)."""
    ceiling = min(settings.OUTBOX_BACKOFF_CAP, settings.OUTBOX_BACKOFF_BASE * 2 ** (attempts - 1))
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311  (jitter, not security)


def _schedule(message: OutboxMessage, countdown: float = 0.0) -> None:
    from outbox.tasks import deliver_outbox_message

    schema = current_schema()
    message_id = message.pk

    def send() -> None:
        deliver_outbox_message.apply_async(
            args=[message_id], countdown=countdown, headers={"_schema_name": schema}
        )

    transaction.on_commit(send)


def outbox_enqueue(*, kind: str, payload: dict[str, Any]) -> OutboxMessage:
    """Record a side effect in the current schema's outbox; it is sent after commit.

    Must run inside the transaction of the change that causes it.
    """
    handler_for(kind)  # fail now, not in the worker, for an unknown kind
    message = OutboxMessage.objects.create(
        kind=kind,
        payload=payload,
        next_attempt_at=timezone.now(),
        max_attempts=settings.OUTBOX_MAX_ATTEMPTS,
        correlation_id=context.current().correlation_id,
    )
    _schedule(message)
    return message


def _move(message: OutboxMessage, status: str) -> None:
    allowed = OUTBOX_STATUS_TRANSITIONS[message.status]
    if status not in allowed:
        raise ValueError(f"outbox message {message.public_id}: {message.status} → {status}")
    message.status = status


def outbox_deliver(*, message_id: int) -> str:
    """Try to deliver one message once. Safe to run twice, and concurrently: the row is locked,
    and a message that is delivered, dead, or not yet due is left alone."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True).filter(pk=message_id).first()
        )
        if message is None:
            return "locked-or-missing"
        if message.status in {OutboxStatus.DELIVERED, OutboxStatus.DEAD}:
            return message.status
        if message.next_attempt_at > timezone.now() + timedelta(seconds=1):
            return "not-due"
        message.attempts += 1
        try:
            # A savepoint: a handler's database error must not break the recording of the
            # failed attempt below.
            with transaction.atomic():
                handler_for(message.kind)(message.payload, str(message.public_id))
        except Exception as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= message.max_attempts:
                _move(message, OutboxStatus.DEAD)
            else:
                _move(message, OutboxStatus.RETRYING)
                delay = backoff_seconds(message.attempts)
                message.next_attempt_at = timezone.now() + timedelta(seconds=delay)
                _schedule(message, countdown=delay)
        else:
            _move(message, OutboxStatus.DELIVERED)
            message.delivered_at = timezone.now()
            message.last_error = ""
        message.save(
            update_fields=["attempts", "status", "last_error", "next_attempt_at", "delivered_at"]
        )
        return message.status


def outbox_replay(*, message: OutboxMessage, actor: Any = None) -> OutboxMessage:
    """Send a dead-lettered message again, with a fresh attempt budget. Audited."""
    with transaction.atomic():
        locked = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        _move(locked, OutboxStatus.PENDING)
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit_record(
            action=AuditAction.OUTBOX_REPLAYED,
            actor=actor,
            obj=locked,
            details={"kind": locked.kind, "last_error": locked.last_error},
        )
        _schedule(locked)
    return locked


def outbox_dispatch_due(*, limit: int = 500) -> int:
    """Queue every due message of the current schema (the sweeper: covers a broker outage)."""
    due = list(
        OutboxMessage.objects.filter(
            status__in=[OutboxStatus.PENDING, OutboxStatus.RETRYING],
            next_attempt_at__lte=timezone.now(),
        ).values_list("pk", flat=True)[:limit]
    )
    from outbox.tasks import deliver_outbox_message

    schema = current_schema()
    for pk in due:
        deliver_outbox_message.apply_async(args=[pk], headers={"_schema_name": schema})
    return len(due)
