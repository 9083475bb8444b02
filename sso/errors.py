from core.errors import DomainError


class InvalidCredentials(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "invalid_credentials",
            "That e-mail and password do not match an account on this portal. Check both, "
            "or ask your administrator to invite you.",
        )
