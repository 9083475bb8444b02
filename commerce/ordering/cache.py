"""Rendered order lists from the cache: one version number per buyer company and one for the
whole portal, bumped on commit of every write that changes what an order list shows (a move on
any axis, a shipment, a payment; ``orders_changed``).

A company's history page is the same for all its members, so it is cached per company, filter
and page (and time zone, which the dates are shown in); the supplier's queue per filter and
page. Keys carry the schema (the cache's ``KEY_FUNCTION``). ``ORDERS_CACHE_SECONDS = 0`` turns
the cache off. The mechanics are ``core.versioned_cache``'s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import transaction

from core.tenancy import current_schema
from core.versioned_cache import VersionedCache, digest

T = TypeVar("T")
ALL = "all"


def _family(scope: str) -> VersionedCache:
    return VersionedCache(f"orders:{scope}", lambda: int(settings.ORDERS_CACHE_SECONDS))


def cached_orders(scope: int | str, request_key: str, build: Callable[[], T]) -> T:
    """``build()``'s value for this company (or ``ALL``) and request, from the cache when fresh."""
    return _family(str(scope)).get_or_build(digest(request_key), build)


def orders_changed(company_id: int) -> None:
    """The company's and the portal's cached order lists are stale once the transaction
    commits."""
    schema = current_schema()

    def bump() -> None:
        _family(str(company_id)).bump(schema)
        _family(ALL).bump(schema)

    transaction.on_commit(bump)
