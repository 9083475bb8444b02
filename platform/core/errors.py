"""The base of all typed domain errors."""

from __future__ import annotations


class DomainError(Exception):
    """An error a user can act on: a stable ``code``, a plain ``message`` and, optionally, the
    form ``field`` it concerns."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class PermissionDenied(DomainError):
    """The actor may not do this."""

    def __init__(self, message: str = "You are not allowed to do this.") -> None:
        super().__init__("permission_denied", message)


class NotFound(DomainError):
    """The object does not exist *or* the actor may not see it: both answer the same."""

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__("not_found", message)
