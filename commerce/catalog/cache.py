"""The priced catalogue's cache: one version number per portal, bumped when anything a buyer's
catalogue shows changes (products, pictures, stock, categories, prices, contracts, a company's
lists or assortment).

Entries are keyed by that version, the company, the supplier's date and the request, so a
change makes every stale entry unreachable at once (``catalogue_changed`` bumps the version on
commit), a new day never serves yesterday's contract prices, and one company never reads
another's prices. Keys carry the schema (the cache's ``KEY_FUNCTION``), so tenants never share
entries. ``CATALOGUE_CACHE_SECONDS = 0`` turns the cache off.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django_tenants.utils import schema_context

from core.tenancy import current_schema

VERSION_KEY = "catalogue:version"
P = ParamSpec("P")
T = TypeVar("T")


def catalogue_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return int(version)


def _bump(schema: str) -> None:
    with schema_context(schema):
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet (or evicted): any new number invalidates
            cache.set(VERSION_KEY, catalogue_version() + 1, timeout=None)


def catalogue_changed() -> None:
    """Invalidate the current portal's cached catalogue once the transaction commits."""
    schema = current_schema()
    transaction.on_commit(lambda: _bump(schema))


def invalidates_catalogue(func: Callable[P, T]) -> Callable[P, T]:
    """For services whose writes change what buyers' catalogues show."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        result = func(*args, **kwargs)
        catalogue_changed()
        return result

    return wrapper


def cached_for_company(
    kind: str, company_id: int, today: date, request_key: str, build: Callable[[], T]
) -> T:
    """``build()``'s value for this company, day and request, from the cache when fresh.

    One round trip on a hit: the entry is stored with the version it was built under and read
    together with the current version."""
    seconds = settings.CATALOGUE_CACHE_SECONDS
    if seconds <= 0:
        return build()
    digest = hashlib.sha256(request_key.encode()).hexdigest()[:32]
    key = f"catalogue:{kind}:{company_id}:{today.isoformat()}:{digest}"
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    entry: Any = found.get(key)
    if version is None:
        version = catalogue_version()
    elif entry is not None and entry[0] == version:
        return entry[1]
    value = build()
    cache.set(key, (version, value), timeout=seconds)
    return value
