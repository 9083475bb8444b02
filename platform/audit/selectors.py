"""Reading the audit log, and checking its hash chain."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from audit.models import AuditEntry
from audit.services import GENESIS_HASH, HASHED_FIELDS, compute_hash


def audit_entries(
    *, action: str | None = None, object_type: str | None = None, object_id: str | None = None
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.all()
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs.order_by("-id")


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_entry_id: int | None = None
    broken_public_id: str | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_entry_id is None


def audit_verify_chain(*, batch_size: int = 2000) -> ChainReport:
    """Walk the chain in id order and name the first entry whose hash does not hold."""
    prev_hash = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            return ChainReport(checked=checked)
        for entry in batch:
            if entry.prev_hash != prev_hash:
                return ChainReport(
                    checked,
                    entry.id,
                    str(entry.public_id),
                    "its link to the previous entry is broken (an entry before it was removed "
                    "or changed)",
                )
            fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
            if compute_hash(prev_hash, fields) != entry.hash:
                return ChainReport(
                    checked,
                    entry.id,
                    str(entry.public_id),
                    "its content does not match its hash (the entry was edited)",
                )
            prev_hash = entry.hash
            checked += 1
            last_id = entry.id
