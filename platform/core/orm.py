"""Small helpers around the ORM that no domain owns."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models


def keep_related(instance: models.Model, name: str, objects: Iterable[models.Model]) -> None:
    """Remember ``objects`` as ``instance.<name>.all()``, exactly as ``prefetch_related`` would
    have stored them, so code that reads the relation next does not query again.

    Only for rows the caller has just written in this transaction (they are the relation's
    whole, current content), e.g. the lines of an order that was created a moment ago. ``name``
    is a reverse foreign key's ``related_name``."""
    manager: Any = getattr(instance, name)
    queryset = manager.get_queryset()  # lazy: no query
    queryset._result_cache = list(objects)
    queryset._prefetch_done = True
    cache: dict[str, Any] = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = queryset
