"""Typed errors of the customers domain: each says what is wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Sequence

from core.errors import DomainError


class CustomerError(DomainError):
    """A refused change to a company, its addresses, cost centres, members or invitations."""


class CustomerInvalid(CustomerError):
    """Several field problems found at once (a form shows them all together)."""

    def __init__(self, problems: Sequence[CustomerError]) -> None:
        self.problems = list(problems)
        super().__init__(
            "invalid", " ".join(problem.message for problem in self.problems) or "Invalid input."
        )

    def as_dict(self) -> dict[str, object]:  # type: ignore[override]
        return {
            "code": self.code,
            "message": self.message,
            "field": None,
            "problems": [problem.as_dict() for problem in self.problems],
        }


class TeamRuleBroken(CustomerError):
    """A team change that would break a rule (own role, last company admin...)."""


class InvitationUnusable(CustomerError):
    """An invitation link that is unknown, used, withdrawn or expired."""
