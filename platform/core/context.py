"""Who is acting, from where, under which correlation id: one value per request or task.

Kept in a ``ContextVar`` so that it is per thread and per task, never shared between requests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class RequestContext:
    correlation_id: str
    ip: str | None = None
    user_agent: str = ""


_current: ContextVar[RequestContext | None] = ContextVar("portico_request_context", default=None)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def current() -> RequestContext:
    """The context in force, or a fresh one with a new correlation id (e.g. in a shell)."""
    ctx = _current.get()
    if ctx is None:
        ctx = RequestContext(correlation_id=new_correlation_id())
        _current.set(ctx)
    return ctx


@contextmanager
def bind(**fields: str | None) -> Iterator[RequestContext]:
    """Run a block with the given fields set on the context; restored afterwards."""
    base = _current.get() or RequestContext(
        correlation_id=fields.get("correlation_id") or new_correlation_id()
    )
    ctx = replace(base, **{k: v for k, v in fields.items()})  # type: ignore[arg-type]
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
