"""Typed errors of SAML single sign-on, each with a plain message."""

from __future__ import annotations

from core.errors import DomainError
from sso.saml.choices import REFUSALS


class SamlConfigError(DomainError):
    """A connection's settings are refused (bad certificate, domain taken, unknown role...)."""


class SamlUnavailable(DomainError):
    """The start-up self-check failed: SAML is off on this server (HTTP 503)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__("saml_unavailable", REFUSALS["saml_unavailable"])
        self.detail = detail


class SamlRefused(DomainError):
    """A login through SAML is refused. ``code`` is the reason category (``REFUSALS``);
    ``detail`` is the technical cause, for the administrators' page, never for the user."""

    def __init__(self, reason: str, detail: str = "", *, status: int = 403) -> None:
        super().__init__(reason, REFUSALS.get(reason, REFUSALS["invalid"]))
        self.detail = detail[:500]
        self.status = status
        self.test = False  # the refused response answered an administrator's test


class NoSsoForDomain(DomainError):
    def __init__(self, domain: str) -> None:
        super().__init__(
            "no_sso",
            f"There is no single sign-on for “{domain}” on this portal. Sign in with your "
            "e-mail and password instead.",
            field="email",
        )
