"""SAML single sign-on: per-tenant IdP connections, SP-initiated login, the ACS."""
