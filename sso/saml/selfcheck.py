"""Start-up self-check: sign a SAML Response (its assertion signed) with the installed
lxml/xmlsec and verify it through the ACS's own checks (and refuse a tampered copy). lxml and
xmlsec built against different libxml2 versions break exactly here (PITFALLS.md). If the check
fails, SAML is off: the SAML endpoints answer 503 with a plain message, and ``manage.py check``
reports an error.

The result is a fact about this process's libraries (no tenant data). It is computed when the
process starts (``SamlConfig.ready``: about 0.1 s, so every process runs it, the web server
before it serves) and kept for the life of the process.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core import checks

from sso.saml.errors import SamlUnavailable

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_result: SelfCheck | None = None

_IDP = "https://selfcheck.invalid/idp"
_PORTAL = "https://selfcheck.invalid"
_REQUEST_ID = "_selfcheck_request"
_NAME = "self@check.invalid"


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _response(key: str, cert: str, acs_url: str, entity_id: str) -> str:
    """A Response as an IdP sends it: one assertion signed on its own (RSA-SHA256), answering
    ``_REQUEST_ID``, addressed to ``acs_url`` for ``entity_id``, valid for five minutes."""
    from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
    from onelogin.saml2.utils import OneLogin_Saml2_Utils as Utils

    now = datetime.now(tz=UTC)
    issued, before, until = (
        _time(now),
        _time(now - timedelta(minutes=1)),
        _time(now + timedelta(minutes=5)),
    )
    assertion = (
        f'<saml:Assertion xmlns:saml="{C.NS_SAML}" ID="_selfcheck_assertion" Version="2.0" '
        f'IssueInstant="{issued}"><saml:Issuer>{_IDP}</saml:Issuer>'
        f"<saml:Subject><saml:NameID>{_NAME}</saml:NameID>"
        f'<saml:SubjectConfirmation Method="{C.CM_BEARER}">'
        f'<saml:SubjectConfirmationData NotOnOrAfter="{until}" Recipient="{acs_url}" '
        f'InResponseTo="{_REQUEST_ID}"/></saml:SubjectConfirmation></saml:Subject>'
        f'<saml:Conditions NotBefore="{before}" NotOnOrAfter="{until}">'
        f"<saml:AudienceRestriction><saml:Audience>{entity_id}</saml:Audience>"
        "</saml:AudienceRestriction></saml:Conditions>"
        f'<saml:AuthnStatement AuthnInstant="{issued}"><saml:AuthnContext>'
        f"<saml:AuthnContextClassRef>{C.AC_PASSWORD_PROTECTED}</saml:AuthnContextClassRef>"
        "</saml:AuthnContext></saml:AuthnStatement></saml:Assertion>"
    )
    signed = Utils.add_sign(
        assertion, key, cert, sign_algorithm=C.RSA_SHA256, digest_algorithm=C.SHA256
    )
    signed = signed.decode() if isinstance(signed, bytes) else signed
    signed = signed.split("?>", 1)[1] if signed.startswith("<?xml") else signed
    return (
        f'<samlp:Response xmlns:samlp="{C.NS_SAMLP}" xmlns:saml="{C.NS_SAML}" '
        f'ID="_selfcheck_response" Version="2.0" IssueInstant="{issued}" '
        f'Destination="{acs_url}" InResponseTo="{_REQUEST_ID}">'
        f"<saml:Issuer>{_IDP}</saml:Issuer>"
        f'<samlp:Status><samlp:StatusCode Value="{C.STATUS_SUCCESS}"/></samlp:Status>'
        f"{signed}</samlp:Response>"
    )


@dataclass(frozen=True)
class SelfCheck:
    ok: bool
    detail: str


def self_signed_pair(common_name: str, *, valid_for: timedelta) -> tuple[str, str]:
    """(private key PEM, self-signed certificate PEM), RSA 2048 / SHA-256, valid from a minute
    ago for ``valid_for`` (the self-check's throwaway signer; the tests' IdP too)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(tz=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + valid_for)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


def run() -> SelfCheck:
    """Sign a Response's assertion, check the Response through the ACS's own validation
    (``protocol.read_response`` + ``protocol.check_response``: python3-saml strict, then ours),
    and make sure a tampered copy is refused; never raises."""
    try:
        import base64

        from sso.saml import protocol
        from sso.saml.errors import SamlRefused
        from sso.saml.models import SamlConnection

        key, cert = self_signed_pair("portico-saml-selfcheck", valid_for=timedelta(days=1))
        connection = SamlConnection(
            name="self-check", idp_entity_id=_IDP, idp_sso_url=f"{_IDP}/sso", certificates=cert
        )
        sp = protocol.sp_endpoints(connection, _PORTAL)
        xml = _response(key, cert, sp.acs_url, sp.entity_id)

        def check(document: str) -> protocol.Identity:
            encoded = base64.b64encode(document.encode()).decode()
            response = protocol.read_response(connection, sp, encoded)
            return protocol.check_response(response, connection, sp, _REQUEST_ID)

        try:
            identity = check(xml)
        except SamlRefused as exc:
            return SelfCheck(False, f"a freshly signed response did not verify ({exc.detail})")
        if identity.name_id != _NAME:
            return SelfCheck(False, "a freshly signed response read back the wrong NameID")
        try:
            check(xml.replace(_NAME, "evil@check.invalid"))
        except SamlRefused:
            pass
        else:
            return SelfCheck(False, "a tampered response verified")
    except Exception as exc:  # a broken xmlsec/lxml pair raises from deep inside
        return SelfCheck(False, f"{type(exc).__name__}: {exc}")
    return SelfCheck(True, "signed and verified a SAML response with lxml/xmlsec")


def result() -> SelfCheck:
    """The check's result for this process (run on first call, then remembered)."""
    global _result
    if _result is None:
        with _lock:
            if _result is None:
                outcome = run()
                if not outcome.ok:
                    logger.error(
                        "SAML is disabled: the lxml/xmlsec self-check failed (%s). Install "
                        "lxml and xmlsec wheels built against the same libxml2.",
                        outcome.detail,
                    )
                _result = outcome
    return _result


def known() -> SelfCheck | None:
    """This process's result if the check ran already (it runs at start-up), else None."""
    return _result


def remember(outcome: SelfCheck | None) -> None:
    """Set (or with None, forget) this process's result: after a library upgrade, or in tests
    that show what users see when the check failed."""
    global _result
    with _lock:
        _result = outcome


def require_saml() -> None:
    outcome = result()
    if not outcome.ok:
        raise SamlUnavailable(outcome.detail)


def _check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    outcome = result()
    if outcome.ok:
        return []
    return [
        checks.Error(
            f"SAML self-check failed: {outcome.detail}",
            hint="lxml and xmlsec must be built against the same libxml2 (use the pinned "
            "wheels). SAML endpoints answer 503 until this is fixed.",
            id="saml.E001",
        )
    ]


def register_check() -> None:
    checks.register(_check, checks.Tags.security, deploy=False)
