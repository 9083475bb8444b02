"""Enumerations of SAML single sign-on: who a connection serves, and why a login was refused."""

from django.db import models


class Audience(models.TextChoices):
    COMPANY = "company", "A buyer company"
    STAFF = "staff", "Supplier staff"


class SamlAction(models.TextChoices):
    """Audit action codes of SAML connections (logins use ``auth.login`` / ``auth.login_failed``
    with ``details["method"] = "saml"``)."""

    CONNECTION_CREATED = "saml.connection_created", "SSO connection created"
    CONNECTION_UPDATED = "saml.connection_updated", "SSO connection changed"
    CONNECTION_DELETED = "saml.connection_deleted", "SSO connection deleted"
    CONNECTION_TESTED = "saml.connection_tested", "SSO connection tested"


# Reason categories of refused SAML logins: stable codes (audit, last errors) → plain words.
REFUSALS: dict[str, str] = {
    "saml_unavailable": "Single sign-on is switched off on this server because its XML "
    "signature check failed at start-up. Sign in with your password, or ask the portal's "
    "administrator.",
    "connection_inactive": "This single sign-on connection is switched off. Ask the portal's "
    "administrator, or sign in with your password.",
    "malformed": "The answer from your identity provider could not be read (it is not a valid "
    "SAML response). Try again from the sign-in page.",
    "forbidden_xml": "The answer from your identity provider contained forbidden XML (a "
    "DOCTYPE or entity declaration) and was refused.",
    "unsolicited": "This sign-in did not start on this portal. Start again from the sign-in "
    "page and choose “Continue with SSO”.",
    "unknown_request": "This sign-in answer does not belong to a sign-in started in this "
    "browser, or it was already used. Start again from the sign-in page.",
    "not_signed": "The identity provider's answer was not signed as required (the assertion "
    "must carry a signature).",
    "bad_signature": "The identity provider's signature did not check out against the "
    "certificate configured for this connection.",
    "deprecated_algorithm": "The identity provider signed with an outdated algorithm (SHA-1). "
    "Ask them to sign with SHA-256.",
    "wrong_issuer": "The answer came from an identity provider other than the one configured "
    "for this connection.",
    "wrong_audience": "The answer was meant for another service (its audience is not this "
    "connection).",
    "wrong_destination": "The answer was addressed to another sign-in address than this "
    "connection's.",
    "wrong_recipient": "The assertion was addressed to another sign-in address than this "
    "connection's.",
    "expired": "The identity provider's answer has expired or is not valid yet. Check the "
    "clocks and try again.",
    "bad_assertion_count": "The answer must contain exactly one assertion.",
    "replay": "This sign-in answer was already used. Start again from the sign-in page.",
    "idp_error": "The identity provider reported that the sign-in did not succeed.",
    "invalid": "The identity provider's answer failed a check.",
    "no_email": "The identity provider did not send an e-mail address for you.",
    "email_domain": "The e-mail address sent by the identity provider is not in one of this "
    "connection's e-mail domains.",
    "belongs_elsewhere": "This e-mail address belongs to an account that this connection cannot "
    "sign in. Ask the portal's administrator.",
    "not_provisioned": "There is no account for this e-mail address on this portal yet, and "
    "this connection does not create accounts. Ask your company's administrator to invite you.",
    "user_inactive": "Your account on this portal is deactivated. Ask your company's "
    "administrator.",
    "bad_role": "The role sent by the identity provider is not allowed here.",
    "other_session": "This browser is signed in as someone else. Sign out first, then sign in "
    "through your identity provider again.",
    "confirmation_expired": "This sign-in was not confirmed in time, or not from this browser. "
    "Start again from your identity provider or the sign-in page.",
    "busy": "Your account was being set up by another sign-in at the same moment. Start again "
    "from the sign-in page.",
}
