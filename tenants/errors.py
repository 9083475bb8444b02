"""Typed errors of the tenants domain: each carries a code and a message a person can act on."""

from core.errors import DomainError


class SubdomainError(DomainError):
    """The wished sub-domain cannot be used."""


class SignupInvalid(DomainError):
    """A sign-up with problems; ``problems`` maps each field to what is wrong with it."""

    def __init__(self, problems: dict[str, str]) -> None:
        field, message = next(iter(problems.items()))
        super().__init__("invalid_signup", message, field=field)
        self.problems = problems


class ProvisioningError(DomainError):
    """A tenant could not be provisioned; nothing was left behind."""


class TenantTransitionError(DomainError):
    """A lifecycle move the table does not allow."""
