"""Typed errors of the tenants domain: each carries a code and a message a person can act on."""

from core.errors import DomainError


class SubdomainError(DomainError):
    """The wished sub-domain cannot be used."""


class ProvisioningError(DomainError):
    """A tenant could not be provisioned; nothing was left behind."""


class TenantTransitionError(DomainError):
    """A lifecycle move the table does not allow."""
