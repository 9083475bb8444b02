"""Typed errors of the catalogue back office: a stable code, a message a supplier can act on,
and the form field it concerns."""

from __future__ import annotations

from core.errors import DomainError


class CatalogError(DomainError):
    """A catalogue change that cannot be made as asked (the message says what to do instead)."""


class ImageError(CatalogError):
    """An uploaded product picture that cannot be used."""


class ImportFileError(CatalogError):
    """A CSV file that cannot be read at all (encoding, header, size): no row was looked at."""


class InvalidInput(CatalogError):
    """Several problems at once (a form shows each next to its field)."""

    def __init__(self, problems: list[CatalogError]) -> None:
        first = problems[0]
        super().__init__(first.code, first.message, field=first.field)
        self.problems = problems
