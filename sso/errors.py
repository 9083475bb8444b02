from core.errors import DomainError


class InvalidCredentials(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "invalid_credentials",
            "That e-mail and password do not match an account on this portal. Check both, "
            "or ask your administrator to invite you.",
        )


class TwoFactorError(DomainError):
    """A refused enrolment, code or removal, with the words to show."""


class ResetLinkInvalid(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "reset_link_invalid",
            "This password reset link has expired or was already used. Ask for a new one.",
        )
