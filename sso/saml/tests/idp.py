"""A test identity provider: its own RSA key and certificate (made by ``cryptography`` at test
time) and real SAML Responses signed with xmlsec through python3-saml's ``add_sign``.

``TestIdp.response(...)`` builds a Response for one AuthnRequest; keyword arguments bend it
into every shape the ACS must refuse (unsigned, wrong audience, expired...). Helpers read the
AuthnRequest id out of the SP's redirect, and encode a Response for the POST binding.
"""

from __future__ import annotations

import base64
import secrets
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlparse

from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from sso.saml.selfcheck import self_signed_pair

NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
}


@cache
def key_pair(name: str) -> tuple[str, str]:
    """(private key PEM, self-signed certificate PEM) for ``name``; made once per test run."""
    return self_signed_pair(name, valid_for=timedelta(days=365))


def saml_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id() -> str:
    return "_" + secrets.token_hex(16)


def sign(xml: str, key: str, cert: str, *, sha1: bool = False) -> str:
    """Sign the element that holds the first ``saml:Issuer`` (the Response, or a lone
    Assertion) with an enveloped signature."""
    signed = OneLogin_Saml2_Utils.add_sign(
        xml,
        key,
        cert,
        sign_algorithm=C.RSA_SHA1 if sha1 else C.RSA_SHA256,
        digest_algorithm=C.SHA1 if sha1 else C.SHA256,
    )
    return signed.decode() if isinstance(signed, bytes) else signed


@dataclass
class TestIdp:
    """An IdP with an entity id, a sign-in URL and a key of its own."""

    __test__ = False  # not a test class, despite its name

    entity_id: str = "https://idp.xylo.test/saml"
    sso_url: str = "https://idp.xylo.test/sso"
    key_name: str = "test-idp"
    attributes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return key_pair(self.key_name)[0]

    @property
    def cert(self) -> str:
        return key_pair(self.key_name)[1]

    def metadata(self) -> str:
        body = "".join(self.cert.strip().splitlines()[1:-1])
        return (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{self.entity_id}">'
            '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>'
            f"<ds:X509Certificate>{body}</ds:X509Certificate>"
            "</ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
            f'Location="{self.sso_url}"/>'
            "</md:IDPSSODescriptor></md:EntityDescriptor>"
        )

    def assertion(
        self,
        *,
        name_id: str,
        audience: str | None,
        recipient: str,
        in_response_to: str | None,
        attributes: dict[str, list[str]] | None = None,
        issuer: str | None = None,
        assertion_id: str | None = None,
        not_before: datetime | None = None,
        not_on_or_after: datetime | None = None,
        expires: bool = True,
    ) -> str:
        now = datetime.now(tz=UTC)
        nb = not_before or now - timedelta(seconds=30)
        nooa = not_on_or_after or now + timedelta(minutes=5)
        irt = f' InResponseTo="{in_response_to}"' if in_response_to else ""
        until = f' NotOnOrAfter="{saml_time(nooa)}"' if expires else ""
        audience_xml = (
            "<saml:AudienceRestriction>"
            f"<saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>"
            if audience is not None
            else ""
        )
        attrs = attributes if attributes is not None else self.attributes
        attribute_xml = "".join(
            f'<saml:Attribute Name="{name}">'
            + "".join(f"<saml:AttributeValue>{v}</saml:AttributeValue>" for v in values)
            + "</saml:Attribute>"
            for name, values in attrs.items()
        )
        return (
            f'<saml:Assertion xmlns:saml="{NS["saml"]}" ID="{assertion_id or new_id()}" '
            f'Version="2.0" IssueInstant="{saml_time(now)}">'
            f"<saml:Issuer>{issuer or self.entity_id}</saml:Issuer>"
            "<saml:Subject>"
            '<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">'
            f"{name_id}</saml:NameID>"
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f"<saml:SubjectConfirmationData{until} "
            f'Recipient="{recipient}"{irt}/>'
            "</saml:SubjectConfirmation></saml:Subject>"
            f'<saml:Conditions NotBefore="{saml_time(nb)}"{until}>'
            f"{audience_xml}</saml:Conditions>"
            f'<saml:AuthnStatement AuthnInstant="{saml_time(now)}" SessionIndex="{new_id()}">'
            "<saml:AuthnContext><saml:AuthnContextClassRef>"
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
            + (
                f"<saml:AttributeStatement>{attribute_xml}</saml:AttributeStatement>"
                if attrs
                else ""
            )
            + "</saml:Assertion>"
        )

    def response(
        self,
        *,
        acs_url: str,
        audience: str | None,
        in_response_to: str | None,
        name_id: str,
        attributes: dict[str, list[str]] | None = None,
        destination: str | None = None,
        recipient: str | None = None,
        issuer: str | None = None,
        assertion_issuer: str | None = None,
        assertion_id: str | None = None,
        not_before: datetime | None = None,
        not_on_or_after: datetime | None = None,
        sign_assertion: bool = True,
        sign_response: bool = False,
        signer: TestIdp | None = None,
        sha1: bool = False,
        assertions: int = 1,
        expires: bool = True,
    ) -> str:
        """A Response XML string, signed as asked (by ``signer``'s key, default this IdP's)."""
        key, cert = (signer or self).key, (signer or self).cert
        parts = []
        for _ in range(assertions):
            assertion = self.assertion(
                name_id=name_id,
                audience=audience,
                recipient=recipient if recipient is not None else acs_url,
                in_response_to=in_response_to,
                attributes=attributes,
                issuer=assertion_issuer or issuer,
                assertion_id=assertion_id,
                not_before=not_before,
                not_on_or_after=not_on_or_after,
                expires=expires,
            )
            parts.append(sign(assertion, key, cert, sha1=sha1) if sign_assertion else assertion)
        now = datetime.now(tz=UTC)
        irt = f' InResponseTo="{in_response_to}"' if in_response_to else ""
        xml = (
            f'<samlp:Response xmlns:samlp="{NS["samlp"]}" xmlns:saml="{NS["saml"]}" '
            f'ID="{new_id()}" Version="2.0" IssueInstant="{saml_time(now)}" '
            f'Destination="{destination if destination is not None else acs_url}"{irt}>'
            f"<saml:Issuer>{issuer or self.entity_id}</saml:Issuer>"
            '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
            "</samlp:Status>" + "".join(_strip_declaration(p) for p in parts) + "</samlp:Response>"
        )
        return sign(xml, key, cert, sha1=sha1) if sign_response else xml


def _strip_declaration(xml: str) -> str:
    return xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml


def encode(xml: str | bytes) -> str:
    """Base64 for the HTTP-POST binding."""
    return base64.b64encode(xml.encode() if isinstance(xml, str) else xml).decode()


def request_id(redirect_url: str) -> str:
    """The ID of the AuthnRequest carried by an HTTP-Redirect binding URL."""
    query = parse_qs(urlparse(redirect_url).query)
    raw = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15)
    return str(etree.fromstring(raw).get("ID"))


def parse(xml: str) -> Any:
    return etree.fromstring(xml.encode())


def serialise(root: Any) -> str:
    return etree.tostring(root).decode()
