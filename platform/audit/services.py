"""Writing to the audit log. The only way rows get into ``AuditEntry``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from audit.choices import ActorKind
from audit.models import AuditEntry
from core import context
from core.tenancy import current_schema

GENESIS_HASH = "0" * 64
HASHED_FIELDS = (
    "public_id",
    "created_at",
    "actor_id",
    "actor_label",
    "actor_kind",
    "ip",
    "user_agent",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "changes",
    "details",
    "correlation_id",
)


def canonical(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"))


def compute_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    payload = canonical({name: fields[name] for name in HASHED_FIELDS})
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The JSON-ready values of ``fields`` on ``obj``, for a before/after comparison."""
    return {name: json.loads(canonical(getattr(obj, name))) for name in fields}


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields whose value differs."""
    return {
        name: [before.get(name), after.get(name)]
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_label": "", "actor_kind": ActorKind.SYSTEM.value}
    kind = getattr(actor, "audit_kind", ActorKind.USER.value)
    return {"actor_id": actor.pk, "actor_label": str(actor.email), "actor_kind": kind}


def _chain_lock_key() -> int:
    digest = hashlib.sha256(f"audit:{current_schema()}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def audit_record(
    *,
    action: str,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    changes: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Append one entry to the current schema's audit log, chained to the previous one.

    Runs inside the caller's transaction (the entry commits or rolls back with the change it
    describes). Appends in one schema are serialised by a transaction-scoped advisory lock, so
    the chain stays linear under concurrency.
    """
    ctx = context.current()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "public_id", None) or obj.pk)
        object_label = object_label or str(obj)[:200]
    fields: dict[str, Any] = {
        **_actor_fields(actor),
        "public_id": None,
        "created_at": timezone.now(),
        "ip": ctx.ip,
        "user_agent": ctx.user_agent,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_label": object_label[:200],
        "changes": json.loads(canonical(dict(changes or {}))),
        "details": json.loads(canonical(dict(details or {}))),
        "correlation_id": ctx.correlation_id,
    }
    if actor_label is not None:
        fields["actor_label"] = actor_label
    entry = AuditEntry(**{k: v for k, v in fields.items() if k != "public_id"})
    fields["public_id"] = entry.public_id
    # No savepoint: an entry that cannot be written must fail the change it describes anyway,
    # and a savepoint costs two round trips on every audited write.
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_chain_lock_key()])
        prev = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry.prev_hash = prev or GENESIS_HASH
        entry.hash = compute_hash(entry.prev_hash, fields)
        entry.save(force_insert=True)
    return entry
