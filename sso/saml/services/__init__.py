"""Writes of SAML single sign-on: connections (``connections``) and logins (``login``)."""

from sso.saml.services.connections import (
    ConnectionInput,
    connection_create,
    connection_delete,
    connection_update,
    parse_domains,
    parse_role_map,
    roles_for,
)
from sso.saml.services.login import (
    PENDING_KEY,
    AcsResult,
    Mapped,
    saml_acs,
    saml_idp_confirm,
    saml_login_start,
    saml_test_start,
)

__all__ = [
    "PENDING_KEY",
    "AcsResult",
    "ConnectionInput",
    "Mapped",
    "connection_create",
    "connection_delete",
    "connection_update",
    "parse_domains",
    "parse_role_map",
    "roles_for",
    "saml_acs",
    "saml_idp_confirm",
    "saml_login_start",
    "saml_test_start",
]
