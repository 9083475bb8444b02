"""Typed errors of ordering: each carries a code and a message a buyer or clerk can act on."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from core.errors import DomainError


@dataclass(frozen=True)
class Problem:
    """One finding of order validation (DESIGN.md §5): which layer found it, a stable code, the
    message, the line (SKU) or field it concerns, what to do about it, and, where one click can
    fix it, the fix (``{"set_quantity": 48}``)."""

    layer: str
    code: str
    message: str
    severity: str = "error"
    line: str | None = None
    field: str | None = None
    suggestion: str = ""
    fix: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def blocking(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class OrderingError(DomainError):
    """A refused ordering action."""


class OrderInvalid(OrderingError):
    """The cart or order breaks at least one blocking rule; ``problems`` lists them all."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        blocking = [p for p in self.problems if p.blocking]
        first = blocking[0].message if blocking else "The order cannot be placed."
        extra = f" ({len(blocking) - 1} more problem(s))" if len(blocking) > 1 else ""
        super().__init__("order_invalid", first + extra)

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "problems": [p.as_dict() for p in self.problems]}


class TransitionRefused(OrderingError):
    """A move the transition table or a cross-axis rule does not allow right now."""


class ApprovalRefused(OrderingError):
    """An approver may not decide this order (own order, over their limit, already decided)."""


class StockShort(OrderingError):
    """Not enough free stock to confirm: nothing was reserved."""
