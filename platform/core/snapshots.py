"""Snapshots of the few rows nearly every request reads: the signed-in user (with membership
and company), the portal's settings and its theme.

Reading them through the ORM costs three queries and their compilation on every request (about
4 ms of a 7 ms warm catalogue API call, measured in bench/catalogue); a snapshot costs one cache
round trip. Snapshots are a ``VersionedCache`` family: stored with the schema's snapshot version
(keys carry the schema) and made stale together when any watched model is saved or deleted in
that schema, on commit. ``watch`` is called from the owning apps' ``ready()``; it is cache
invalidation, not behaviour: no business rule depends on it. ``SNAPSHOT_CACHE_SECONDS = 0``
turns snapshots off (the test suite does, except the tests of this module).

Callers get a fresh copy on every read (the cache unpickles), so changing a snapshot never
changes what another request sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from core.versioned_cache import VersionedCache

T = TypeVar("T")

SNAPSHOTS = VersionedCache("snapshot", lambda: int(settings.SNAPSHOT_CACHE_SECONDS))


def snapshot(key: str, load: Callable[[], T]) -> T:
    """``load()``'s value for ``key`` in the current schema, from the cache when fresh."""
    return SNAPSHOTS.get_or_build(key, load)


def snapshots_changed() -> None:
    """The current schema's snapshots are stale once the transaction commits."""
    SNAPSHOTS.changed()


def watch(model: type[Model], *, ignore_fields: Iterable[str] = ()) -> None:
    """Saving or deleting ``model`` makes the schema's snapshots stale (on commit). A save whose
    ``update_fields`` are all in ``ignore_fields`` (such as ``last_login``) does not."""
    ignored = frozenset(ignore_fields)

    def saved(sender: type[Model], update_fields: Iterable[str] | None, **_: Any) -> None:
        if update_fields is not None and ignored and set(update_fields) <= ignored:
            return
        snapshots_changed()

    def deleted(sender: type[Model], **_: Any) -> None:
        snapshots_changed()

    uid = f"core.snapshots:{model._meta.label}"
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=uid)
