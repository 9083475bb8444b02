"""The python3-saml glue: settings per connection, AuthnRequests, SP metadata, and the checks
of a Response (the library's, then ours where it is loose — see PITFALLS.md, SAML).

Nothing here touches the database or the session: ``services`` decides what a checked
response means for a login.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.errors import OneLogin_Saml2_ValidationError as VE
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils as Utils
from onelogin.saml2.xmlparser import DTDForbidden, EntitiesForbidden, NotSupportedError

from sso.saml.errors import SamlConfigError, SamlRefused
from sso.saml.models import SamlConnection

MAX_RESPONSE_BYTES = 256 * 1024

_PEM_RE = re.compile(
    r"-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----"
)


@dataclass(frozen=True)
class SpEndpoints:
    """This portal's side of one connection, always on the tenant's primary domain."""

    entity_id: str
    acs_url: str
    metadata_url: str


def sp_endpoints(connection: SamlConnection, portal_url: str) -> SpEndpoints:
    """``portal_url`` is the portal's address on its primary domain (scheme, host, port)."""
    base = f"{portal_url.rstrip('/')}/sso/saml/{connection.public_id}"
    return SpEndpoints(
        entity_id=f"{base}/metadata/", acs_url=f"{base}/acs/", metadata_url=f"{base}/metadata/"
    )


# --- Certificates and IdP metadata ------------------------------------------------------------


def _load_cert(der_b64: str) -> x509.Certificate:
    try:
        der = base64.b64decode("".join(der_b64.split()), validate=True)
        return x509.load_der_x509_certificate(der)
    except (ValueError, binascii.Error) as exc:
        raise SamlConfigError(
            "certificate_invalid",
            "One of the certificates could not be read. Paste the IdP's signing certificate "
            "in PEM form (“-----BEGIN CERTIFICATE-----” … “-----END CERTIFICATE-----”).",
            field="certificates",
        ) from exc


def normalise_certificates(text: str) -> list[str]:
    """The PEM certificates in ``text`` (pasted, possibly several), each checked and
    re-encoded; a bare base64 body (as in metadata) is accepted too."""
    bodies = _PEM_RE.findall(text or "")
    if not bodies and text.strip():
        bodies = [text.strip()]
    if not bodies:
        raise SamlConfigError(
            "certificate_required",
            "Paste at least one signing certificate of the identity provider, or upload its "
            "metadata.",
            field="certificates",
        )
    pems = []
    for body in bodies:
        cert = _load_cert(body)
        pems.append(cert.public_bytes(Encoding.PEM).decode().strip())
    return list(dict.fromkeys(pems))


def certificate_summaries(text: str) -> list[dict[str, str]]:
    """Subject and validity of each stored certificate, for the connection page."""
    rows = []
    for body in _PEM_RE.findall(text or ""):
        cert = _load_cert(body)
        rows.append(
            {
                "subject": cert.subject.rfc4514_string(),
                "not_after": f"{cert.not_valid_after_utc:%Y-%m-%d}",
                "expired": "yes" if cert.not_valid_after_utc < datetime.now(tz=UTC) else "",
            }
        )
    return rows


@dataclass(frozen=True)
class IdpMetadata:
    entity_id: str
    sso_url: str
    certificates: list[str]


def parse_idp_metadata(xml: bytes) -> IdpMetadata:
    """Entity id, HTTP-Redirect SSO URL and signing certificates from uploaded IdP metadata.

    Parsed with python3-saml's hardened lxml parser (no DTD, no entities, no network); a URL
    in the metadata is never fetched."""
    try:
        data = OneLogin_Saml2_IdPMetadataParser.parse(
            xml, required_sso_binding=C.BINDING_HTTP_REDIRECT
        )
    except (DTDForbidden, EntitiesForbidden, NotSupportedError) as exc:
        raise SamlConfigError(
            "metadata_forbidden_xml",
            "The metadata file contains a DOCTYPE or entity declarations, which are refused.",
            field="metadata",
        ) from exc
    except Exception as exc:  # lxml syntax errors and the parser's own
        raise SamlConfigError(
            "metadata_invalid",
            "The metadata file could not be read as SAML IdP metadata (XML).",
            field="metadata",
        ) from exc
    idp = data.get("idp") or {}
    certs = list((idp.get("x509certMulti") or {}).get("signing") or [])
    if not certs and idp.get("x509cert"):
        certs = [idp["x509cert"]]
    sso_url = (idp.get("singleSignOnService") or {}).get("url", "")
    if not idp.get("entityId") or not sso_url or not certs:
        raise SamlConfigError(
            "metadata_incomplete",
            "The metadata must name the IdP's entity id, an HTTP-Redirect sign-in URL and a "
            "signing certificate.",
            field="metadata",
        )
    pems = normalise_certificates("\n".join(f"{_pem(c)}" for c in certs))
    return IdpMetadata(entity_id=idp["entityId"], sso_url=sso_url, certificates=pems)


def _pem(body: str) -> str:
    body = "".join(body.split())
    return f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----"


# --- Settings, requests, metadata ---------------------------------------------------------------

SECURITY = {
    "authnRequestsSigned": False,
    "logoutRequestSigned": False,
    "logoutResponseSigned": False,
    "wantAssertionsSigned": True,  # every assertion carries its own signature
    "wantMessagesSigned": False,  # a Response signature is checked when present
    "wantAssertionsEncrypted": False,
    "wantNameIdEncrypted": False,
    "wantNameId": True,
    "wantAttributeStatement": False,
    "allowRepeatAttributeName": False,
    "rejectDeprecatedAlgorithm": True,  # no SHA-1 signatures or digests
    "requestedAuthnContext": False,
    "failOnAuthnContextMismatch": False,
    "signatureAlgorithm": C.RSA_SHA256,
    "digestAlgorithm": C.SHA256,
}


def settings_for(connection: SamlConnection, sp: SpEndpoints) -> OneLogin_Saml2_Settings:
    certs = _PEM_RE.findall(connection.certificates or "")
    return OneLogin_Saml2_Settings(
        {
            "strict": True,
            "debug": False,
            "sp": {
                "entityId": sp.entity_id,
                "assertionConsumerService": {"url": sp.acs_url, "binding": C.BINDING_HTTP_POST},
                "NameIDFormat": C.NAMEID_UNSPECIFIED,
                "x509cert": "",
                "privateKey": "",
            },
            "idp": {
                "entityId": connection.idp_entity_id,
                "singleSignOnService": {
                    "url": connection.idp_sso_url,
                    "binding": C.BINDING_HTTP_REDIRECT,
                },
                "x509certMulti": {"signing": [_pem(c) for c in certs]},
            },
            "security": dict(SECURITY),
        }
    )


def _request_data(sp: SpEndpoints, post: dict[str, str] | None = None) -> dict[str, Any]:
    """The request as python3-saml sees it: always this connection's ACS URL on the primary
    domain (never the Host header); our own checks below insist on exact equality anyway."""
    scheme, rest = sp.acs_url.split("://", 1)
    host, _, path = rest.partition("/")
    return {
        "https": "on" if scheme == "https" else "off",
        "http_host": host,
        "script_name": "/" + path,
        "get_data": {},
        "post_data": post or {},
    }


def authn_request(connection: SamlConnection, sp: SpEndpoints) -> tuple[str, str]:
    """(redirect URL to the IdP with an AuthnRequest, HTTP-Redirect binding; its request id)."""
    auth = OneLogin_Saml2_Auth(_request_data(sp), old_settings=settings_for(connection, sp))
    url = auth.login(return_to="")
    return str(url), str(auth.get_last_request_id())


def sp_metadata(connection: SamlConnection, sp: SpEndpoints) -> str:
    settings = OneLogin_Saml2_Settings(
        {
            "strict": True,
            "sp": {
                "entityId": sp.entity_id,
                "assertionConsumerService": {"url": sp.acs_url, "binding": C.BINDING_HTTP_POST},
                "NameIDFormat": C.NAMEID_UNSPECIFIED,
            },
            "security": {**SECURITY, "metadataValidUntil": None, "metadataCacheDuration": None},
        },
        sp_validation_only=True,
    )
    metadata = settings.get_sp_metadata()
    return metadata.decode() if isinstance(metadata, bytes) else str(metadata)


# --- Responses ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """What a checked assertion says, read through the library's accessors only."""

    name_id: str
    attributes: dict[str, list[str]]
    assertion_id: str
    in_response_to: str | None
    expires_at: datetime


def read_response(connection: SamlConnection, sp: SpEndpoints, encoded: str) -> Any:
    """The parsed Response. A DOCTYPE or entity declaration, or anything unreadable, is refused
    with HTTP 400 (the library's constructor raises; PITFALLS.md)."""
    if not encoded or len(encoded) > MAX_RESPONSE_BYTES:
        raise SamlRefused("malformed", "no SAMLResponse, or one too large", status=400)
    try:
        return OneLogin_Saml2_Response(settings_for(connection, sp), encoded)
    except (DTDForbidden, EntitiesForbidden) as exc:
        raise SamlRefused("forbidden_xml", str(exc), status=400) from exc
    except Exception as exc:  # bad base64, XML syntax, unsupported constructs
        raise SamlRefused("malformed", f"{type(exc).__name__}: {exc}", status=400) from exc


_CODE_REASONS = {
    VE.WRONG_NUMBER_OF_ASSERTIONS: "bad_assertion_count",
    VE.STATUS_CODE_IS_NOT_SUCCESS: "idp_error",
    VE.MISSING_STATUS: "idp_error",
    VE.MISSING_STATUS_CODE: "idp_error",
    VE.WRONG_INRESPONSETO: "unknown_request",
    VE.ASSERTION_TOO_EARLY: "expired",
    VE.ASSERTION_EXPIRED: "expired",
    VE.SESSION_EXPIRED: "expired",
    VE.RESPONSE_EXPIRED: "expired",
    VE.WRONG_DESTINATION: "wrong_destination",
    VE.EMPTY_DESTINATION: "wrong_destination",
    VE.WRONG_AUDIENCE: "wrong_audience",
    VE.WRONG_ISSUER: "wrong_issuer",
    VE.ISSUER_MULTIPLE_IN_RESPONSE: "wrong_issuer",
    VE.ISSUER_NOT_FOUND_IN_ASSERTION: "wrong_issuer",
    VE.NO_SIGNED_ASSERTION: "not_signed",
    VE.NO_SIGNED_MESSAGE: "not_signed",
    VE.NO_SIGNATURE_FOUND: "not_signed",
    VE.INVALID_SIGNATURE: "bad_signature",
    VE.WRONG_NUMBER_OF_SIGNATURES: "bad_signature",
    VE.WRONG_SIGNED_ELEMENT: "bad_signature",
    VE.INVALID_SIGNED_ELEMENT: "bad_signature",
    VE.ID_NOT_FOUND_IN_SIGNED_ELEMENT: "bad_signature",
    VE.DUPLICATED_ID_IN_SIGNED_ELEMENTS: "bad_signature",
    VE.DUPLICATED_REFERENCE_IN_SIGNED_ELEMENTS: "bad_signature",
    VE.UNEXPECTED_SIGNED_ELEMENTS: "bad_signature",
    VE.WRONG_NUMBER_OF_SIGNATURES_IN_RESPONSE: "bad_signature",
    VE.WRONG_NUMBER_OF_SIGNATURES_IN_ASSERTION: "bad_signature",
    VE.DEPRECATED_SIGNATURE_METHOD: "deprecated_algorithm",
    VE.DEPRECATED_DIGEST_METHOD: "deprecated_algorithm",
    VE.WRONG_SUBJECTCONFIRMATION: "wrong_recipient",
}


def check_response(
    response: Any, connection: SamlConnection, sp: SpEndpoints, request_id: str | None
) -> Identity:
    """Run the library's validation (strict, signatures against the connection's certificates
    only), then insist on what it checks loosely: Destination, every bearer Recipient and every
    Audience exactly equal to this connection's ACS URL and entity id. Returns the identity
    read through the library's accessors."""
    try:
        response.is_valid(_request_data(sp), request_id=request_id, raise_exceptions=True)
    except VE as exc:
        raise SamlRefused(_CODE_REASONS.get(exc.code, "invalid"), str(exc)) from exc
    except Exception as exc:  # xmlsec errors and the like: never a 500
        raise SamlRefused("invalid", f"{type(exc).__name__}: {exc}") from exc
    destination = response.document.get("Destination")
    if destination != sp.acs_url:
        raise SamlRefused("wrong_destination", f"Destination {destination!r} != {sp.acs_url}")
    _check_recipients(response, sp)
    audiences = response.get_audiences()
    if not audiences or set(audiences) != {sp.entity_id}:
        raise SamlRefused("wrong_audience", f"audiences {audiences!r} != {sp.entity_id}")
    if request_id is not None:
        _check_in_response_to(response, request_id)
    try:
        name_id = response.get_nameid() or ""
        attributes = {
            key: [v for v in values if isinstance(v, str)]
            for key, values in response.get_attributes().items()
        }
        assertion_id = response.get_assertion_id() or ""
    except VE as exc:
        raise SamlRefused(_CODE_REASONS.get(exc.code, "invalid"), str(exc)) from exc
    if not assertion_id:
        raise SamlRefused("invalid", "the assertion has no ID")
    return Identity(
        name_id=name_id.strip(),
        attributes=attributes,
        assertion_id=assertion_id,
        in_response_to=response.get_in_response_to(),
        expires_at=_last_valid_moment(response),
    )


_BEARER_DATA = (
    f"/saml:Subject/saml:SubjectConfirmation[@Method='{C.CM_BEARER}']/saml:SubjectConfirmationData"
)


def _bearer_data(response: Any) -> list[Any]:
    """The bearer SubjectConfirmationData of the validated (signed) assertion, reached through
    the library's ``_query_assertion`` (the assertion its signature check found, by the
    signature's reference), not a second parse."""
    return list(response._query_assertion(_BEARER_DATA))


def _check_in_response_to(response: Any, request_id: str) -> None:
    """A request was made: the Response's InResponseTo (outside the assertion's signature)
    and every bearer confirmation's (inside it) name that request. An assertion whose
    confirmation names no request was not issued for this one: a signed unsolicited assertion
    wrapped in a Response carrying someone's pending request id is refused."""
    if response.get_in_response_to() != request_id:
        raise SamlRefused("unknown_request", "InResponseTo does not match")
    found = [node.get("InResponseTo") for node in _bearer_data(response)]
    if not found or any(value != request_id for value in found):
        raise SamlRefused(
            "unknown_request",
            f"SubjectConfirmationData InResponseTo {found!r} != the request {request_id}",
        )


def _last_valid_moment(response: Any) -> datetime:
    """When the checked assertion stops being acceptable: the latest NotOnOrAfter of all its
    bearer confirmations and its Conditions (plus the library's clock skew). Its id is kept as
    used until then; an assertion valid forever is refused (it could be replayed after any
    retention period)."""
    moments = []
    nodes = [*_bearer_data(response), *response._query_assertion("/saml:Conditions")]
    for node in nodes:
        if node.get("NotOnOrAfter"):
            parsed = Utils.parse_SAML_to_time(node.get("NotOnOrAfter"))
            moments.append(float(parsed + C.ALLOWED_CLOCK_DRIFT))
    if not moments:
        raise SamlRefused("invalid", "the assertion has no NotOnOrAfter: it would never expire")
    return datetime.fromtimestamp(max(moments), tz=UTC)


def _check_recipients(response: Any, sp: SpEndpoints) -> None:
    """Every bearer SubjectConfirmationData of the validated (signed) assertion names exactly
    this connection's ACS URL. ``_query_assertion`` is the library's own way to reach the
    assertion it verified (by the signature's reference), not a second parse."""
    nodes = response._query_assertion(
        "/saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData"
    )
    recipients = [node.get("Recipient") for node in nodes]
    if not recipients or any(r != sp.acs_url for r in recipients):
        raise SamlRefused("wrong_recipient", f"Recipient {recipients!r} != {sp.acs_url}")
