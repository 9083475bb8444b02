"""Versioned entries in the shared cache: a whole family of entries is invalidated at once by
bumping one version number, on commit of the write that changed what they show.

Each family (``VersionedCache("catalogue")``...) keeps ``<name>:version`` in the Django cache
(Redis; ``KEY_FUNCTION`` puts the schema in every key, so tenants never share entries or
versions). An entry is stored together with the version it was built under and read in the same
round trip as the current version, so a warm read costs one ``MGET``. A reader uses the version it
read *before* building, so a write committed while it builds leaves it stale, never wrong.

Nothing is stored from inside an open transaction (what it read may yet be rolled back); the
test-case transaction that wraps a whole test does not count. A version number starts from the
clock, so a version key lost to eviction never brings old entries back to life.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection, transaction
from django_tenants.utils import schema_context

from core.tenancy import current_schema

T = TypeVar("T")


def in_open_transaction() -> bool:
    """True inside a real ``atomic`` block (the one a test case wraps around a test excluded)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def digest(text: str) -> str:
    """A short, fixed-length key part for an arbitrary request description."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class VersionedCache:
    """A family of cache entries sharing one version per schema (see the module docstring).

    ``seconds`` is read on every call (a setting), so tests and operators can turn the family
    off with 0."""

    def __init__(self, name: str, seconds: Callable[[], int]) -> None:
        self.name = name
        self.version_key = f"{name}:version"
        self._seconds = seconds

    def version(self) -> int:
        version = cache.get(self.version_key)
        if version is None:
            cache.add(self.version_key, time.time_ns() // 1000, timeout=None)
            version = cache.get(self.version_key)
        return int(version) if version is not None else 0

    def get_or_build(self, key: str, build: Callable[[], T]) -> T:
        """``build()``'s value for ``key``, from the cache when built under the current version."""
        return self.get_or_build_many({key: build})[key]

    def get_or_build_many(self, builds: dict[str, Callable[[], T]]) -> dict[str, T]:
        """Each key's value, from the cache when fresh, else from its build (all keys and the
        version are read in one round trip; the missing values are written in another)."""
        seconds = self._seconds()
        if seconds <= 0:
            return {key: build() for key, build in builds.items()}
        full_keys = {key: f"{self.name}:{key}" for key in builds}
        found = cache.get_many([self.version_key, *full_keys.values()])
        version = found.get(self.version_key)
        if version is None:
            version = self.version()
        values: dict[str, T] = {}
        fresh: dict[str, tuple[int, T]] = {}
        for key, build in builds.items():
            entry: Any = found.get(full_keys[key])
            if entry is not None and entry[0] == version:
                values[key] = entry[1]
            else:
                values[key] = build()
                fresh[full_keys[key]] = (version, values[key])
        if fresh and not in_open_transaction():
            cache.set_many(fresh, timeout=seconds)
        return values

    def fresh(self, keys: list[str]) -> dict[str, Any]:
        """The entries among ``keys`` that are built under the current version (one round
        trip; nothing is built)."""
        if self._seconds() <= 0 or not keys:
            return {}
        full_keys = {f"{self.name}:{key}": key for key in keys}
        found = cache.get_many([self.version_key, *full_keys])
        version = found.get(self.version_key)
        if version is None:
            return {}
        return {
            key: entry[1]
            for full, key in full_keys.items()
            if (entry := found.get(full)) is not None and entry[0] == version
        }

    def bump(self, schema: str) -> None:
        """Make every entry of ``schema`` in this family stale, now."""
        with schema_context(schema):
            try:
                cache.incr(self.version_key)
            except ValueError:  # no version yet (or evicted): a fresh one from the clock
                cache.set(self.version_key, time.time_ns() // 1000, timeout=None)

    def changed(self) -> None:
        """The current schema's entries of this family are stale once the transaction commits."""
        schema = current_schema()
        transaction.on_commit(lambda: self.bump(schema))
