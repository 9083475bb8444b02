"""The login page's "Continue with SSO" block (``templates/saml/login_sso.html``)."""

from __future__ import annotations

from django import template

from sso.saml.forms import SsoDiscoveryForm
from sso.saml.selectors import any_active_connection

register = template.Library()


@register.simple_tag
def saml_offered() -> bool:
    return any_active_connection()


@register.simple_tag
def saml_discovery_form() -> SsoDiscoveryForm:
    return SsoDiscoveryForm(prefix="sso")
