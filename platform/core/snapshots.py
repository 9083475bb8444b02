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

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from core.tenancy import current_schema
from core.versioned_cache import VersionedCache

T = TypeVar("T")

SNAPSHOTS = VersionedCache("snapshot", lambda: int(settings.SNAPSHOT_CACHE_SECONDS))


# Snapshots read together in one round trip at the start of a request (``prefetch``) are kept
# for the rest of that request only, by schema; any change to a watched model empties the memo.
_memo: ContextVar[dict[str, Any] | None] = ContextVar("portico_snapshot_memo", default=None)
FRAME = ("portal-settings", "theme")  # what nearly every page reads besides the user
_MISSING = object()


@contextmanager
def request_scope() -> Iterator[None]:
    """Give one request (or task) its own memo of prefetched snapshots."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def prefetch(keys: list[str]) -> None:
    """Read these snapshots (and the page frame's) in one round trip into the request's memo."""
    memo = _memo.get()
    if memo is None:
        return
    schema = current_schema()
    wanted = [key for key in [*keys, *FRAME] if f"{schema}|{key}" not in memo]
    memo.update({f"{schema}|{k}": v for k, v in SNAPSHOTS.fresh(wanted).items()})


def snapshot(key: str, load: Callable[[], T]) -> T:
    """``load()``'s value for ``key`` in the current schema, from the request's memo or the cache
    when fresh."""
    memo = _memo.get()
    if memo is not None:
        found = memo.get(f"{current_schema()}|{key}", _MISSING)
        if found is not _MISSING:
            return found
    return SNAPSHOTS.get_or_build(key, load)


def snapshots_changed() -> None:
    """The current schema's snapshots are stale once the transaction commits (and this
    request's memo at once)."""
    memo = _memo.get()
    if memo is not None:
        memo.clear()
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
