"""Start-up self-check: sign a small SAML assertion with the installed lxml/xmlsec and verify it
(and refuse a tampered copy). lxml and xmlsec built against different libxml2 versions break
exactly here (PITFALLS.md). If the check fails, SAML is off: the SAML endpoints answer 503 with
a plain message, and ``manage.py check`` reports an error.

The result is a fact about this process's libraries (no tenant data), computed once on first
use and kept for the life of the process.
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

_ASSERTION = (
    '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_selfcheck" '
    'Version="2.0" IssueInstant="2026-01-01T00:00:00Z">'
    "<saml:Issuer>https://selfcheck.invalid/idp</saml:Issuer>"
    "<saml:Subject><saml:NameID>self@check.invalid</saml:NameID></saml:Subject>"
    "</saml:Assertion>"
)


@dataclass(frozen=True)
class SelfCheck:
    ok: bool
    detail: str


def _key_and_cert() -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "portico-saml-selfcheck")])
    now = datetime.now(tz=UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


def run() -> SelfCheck:
    """Sign, verify, and make sure a tampered copy fails; never raises."""
    try:
        from onelogin.saml2.utils import OneLogin_Saml2_Utils as Utils

        key, cert = _key_and_cert()
        signed = Utils.add_sign(_ASSERTION, key, cert)
        signed = signed.decode() if isinstance(signed, bytes) else signed
        xpath = "/saml:Assertion/ds:Signature"
        if not Utils.validate_sign(signed, cert, xpath=xpath, raise_exceptions=False):
            return SelfCheck(False, "a freshly signed assertion did not verify")
        tampered = signed.replace("self@check.invalid", "evil@check.invalid")
        if Utils.validate_sign(tampered, cert, xpath=xpath, raise_exceptions=False):
            return SelfCheck(False, "a tampered assertion verified")
    except Exception as exc:  # a broken xmlsec/lxml pair raises from deep inside
        return SelfCheck(False, f"{type(exc).__name__}: {exc}")
    return SelfCheck(True, "signed and verified an assertion with lxml/xmlsec")


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
