from core.errors import DomainError


class ThemeError(DomainError):
    """A theme value that cannot be used; ``field`` says which."""
