"""The priced catalogue's cache: one version number per portal, bumped when anything a buyer's
catalogue shows changes (products, pictures, stock, categories, prices, contracts, a company's
lists or assortment).

Entries are keyed by that version, the company, the supplier's date and the request, so a
change makes every stale entry unreachable at once (``catalogue_changed`` bumps the version on
commit), a new day never serves yesterday's contract prices, and one company never reads
another's prices. Keys carry the schema (the cache's ``KEY_FUNCTION``), so tenants never share
entries. ``CATALOGUE_CACHE_SECONDS = 0`` turns the cache off. The mechanics are
``core.versioned_cache``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import ParamSpec, TypeVar

from django.conf import settings

from core.versioned_cache import VersionedCache, digest

P = ParamSpec("P")
T = TypeVar("T")

CATALOGUE = VersionedCache("catalogue", lambda: int(settings.CATALOGUE_CACHE_SECONDS))


def catalogue_changed() -> None:
    """Invalidate the current portal's cached catalogue once the transaction commits."""
    CATALOGUE.changed()


def invalidates_catalogue(func: Callable[P, T]) -> Callable[P, T]:
    """For services whose writes change what buyers' catalogues show."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        result = func(*args, **kwargs)
        catalogue_changed()
        return result

    return wrapper


def company_key(kind: str, company_id: int, today: date, request_key: str) -> str:
    """The key of one cached answer: what it is, for whom, for which day and request
    (``company_id`` 0 for answers that are the same for every company)."""
    return f"{kind}:{company_id}:{today.isoformat()}:{digest(request_key)}"


def cached_for_company(
    kind: str, company_id: int, today: date, request_key: str, build: Callable[[], T]
) -> T:
    """``build()``'s value for this company, day and request, from the cache when fresh
    (one round trip on a hit)."""
    return CATALOGUE.get_or_build(company_key(kind, company_id, today, request_key), build)


def cached_together(builds: dict[str, Callable[[], T]]) -> dict[str, T]:
    """Several answers (keys from ``company_key``) in one round trip on a hit."""
    return CATALOGUE.get_or_build_many(builds)
