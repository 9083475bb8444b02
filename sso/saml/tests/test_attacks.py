"""Refused SAML responses. Each refusal: no signed-in session, exactly one audit entry
(``auth.login_failed``, ``method=saml``, its reason category), the error recorded on the
connection, a plain-words page, and nothing else written (no user, no used assertion)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest
from django_tenants.utils import schema_context

from commerce.customers.models import Membership
from sso.models import User
from sso.saml.models import SamlAssertionUse, SamlLoginError
from sso.saml.services import connection_update
from sso.saml.tests.conftest import company_input, post_acs, signed_in_user_id, start
from sso.saml.tests.idp import NS, TestIdp, new_id, parse, serialise, sign

pytestmark = pytest.mark.django_db

EMAIL = "x-buyer@xylo.test"


def _valid(world, idp: TestIdp, rid: str, **kwargs) -> str:
    sp = world.sp()
    values = {
        "acs_url": sp.acs_url,
        "audience": sp.entity_id,
        "in_response_to": rid,
        "name_id": EMAIL,
        "attributes": {"mail": [EMAIL]},
    }
    values.update(kwargs)
    return idp.response(**values)


def _assert_refused(alpha, world, client, xml: str, reason: str, status: int = 403):
    with schema_context(alpha.schema):
        state = (User.objects.count(), Membership.objects.count(), SamlAssertionUse.objects.count())
    before = world.audit_count()

    response = post_acs(client, world.conn, xml)

    assert response.status_code == status, response.content.decode()[:800]
    assert signed_in_user_id(client) is None
    assert world.audit_count() == before + 1
    entry = world.last_audit()
    assert entry.action == "auth.login_failed"
    assert entry.details == {
        "method": "saml",
        "reason": reason,
        "connection": str(world.conn.public_id),
    }
    with schema_context(alpha.schema):
        assert (
            User.objects.count(),
            Membership.objects.count(),
            SamlAssertionUse.objects.count(),
        ) == state
        assert SamlLoginError.objects.filter(connection=world.conn).first().reason == reason
    assert "Single sign-on did not work" in response.content.decode()
    return response


@pytest.fixture
def client_rid(alpha, world):
    client = alpha.client()
    return client, start(client, EMAIL)


# --- Signatures ---------------------------------------------------------------------------------


def test_unsigned_response(alpha, world, idp, client_rid):
    client, rid = client_rid
    _assert_refused(
        alpha, world, client, _valid(world, idp, rid, sign_assertion=False), "not_signed"
    )


def test_signed_response_with_unsigned_assertion(alpha, world, idp, client_rid):
    client, rid = client_rid
    xml = _valid(world, idp, rid, sign_assertion=False, sign_response=True)
    _assert_refused(alpha, world, client, xml, "not_signed")


def test_signature_by_an_unknown_key(alpha, world, idp, stranger, client_rid):
    client, rid = client_rid
    _assert_refused(alpha, world, client, _valid(world, stranger, rid), "bad_signature")


def test_sha1_signature_is_refused(alpha, world, idp, client_rid):
    client, rid = client_rid
    _assert_refused(
        alpha, world, client, _valid(world, idp, rid, sha1=True), "deprecated_algorithm"
    )


def test_nameid_tampered_after_signing(alpha, world, idp, client_rid):
    client, rid = client_rid
    xml = _valid(world, idp, rid, name_id="nobody@xylo.test", attributes={})
    xml = xml.replace("nobody@xylo.test", EMAIL)
    _assert_refused(alpha, world, client, xml, "bad_signature")


def test_attribute_tampered_after_signing(alpha, world, idp, client_rid):
    client, rid = client_rid
    xml = _valid(world, idp, rid, attributes={"mail": [EMAIL], "groups": ["staff-all"]})
    xml = xml.replace(">staff-all<", ">it-admins<")  # would map to company_admin
    _assert_refused(alpha, world, client, xml, "bad_signature")


def test_comment_in_nameid_does_not_cut_the_identity_short(alpha, world, idp, client_rid):
    """The IdP signed ``x-buyer@xylo.test.evil.test``; a comment injected after signing keeps the
    signature valid (canonicalisation drops comments) but a naive reader would see only
    ``x-buyer@xylo.test``. The whole value is read, which has no account: refused."""
    with schema_context(alpha.schema):
        connection_update(
            actor=alpha.admin,
            connection=world.conn,
            data=company_input(
                world.x,
                idp,
                attr_email="",
                jit_enabled=False,
                email_domains="xylo.test xylo.test.evil.test",
            ),
        )
    client, rid = client_rid
    xml = _valid(world, idp, rid, name_id="x-buyer@xylo.test.evil.test", attributes={})
    xml = xml.replace("x-buyer@xylo.test.evil.test", "x-buyer@xylo.test<!---->.evil.test")
    _assert_refused(alpha, world, client, xml, "not_provisioned")
    with schema_context(alpha.schema):
        detail = SamlLoginError.objects.filter(connection=world.conn).first().detail
    assert detail == "x-buyer@xylo.test.evil.test has no account; JIT is off"


def _evil_assertion(original, name_id: str):
    """A copy of the signed assertion with another NameID and a new ID, its signature dropped."""
    evil = copy.deepcopy(original)
    for sig in evil.findall("ds:Signature", NS):
        evil.remove(sig)
    evil.set("ID", new_id())
    evil.find("saml:Subject/saml:NameID", NS).text = name_id
    return evil


def test_wrapping_evil_assertion_before_the_signed_one(alpha, world, idp, client_rid):
    """XSW: an unsigned assertion for someone else placed first, the signed original after."""
    client, rid = client_rid
    root = parse(_valid(world, idp, rid, name_id="nobody@xylo.test", attributes={}))
    original = root.find("saml:Assertion", NS)
    root.insert(list(root).index(original), _evil_assertion(original, EMAIL))
    _assert_refused(alpha, world, client, serialise(root), "bad_assertion_count")


def test_wrapping_signed_assertion_hidden_in_extensions(alpha, world, idp, client_rid):
    """XSW: the signed original moved into samlp:Extensions, an evil assertion carrying the
    original's signature (and ID) in its place."""
    client, rid = client_rid
    root = parse(_valid(world, idp, rid, name_id="nobody@xylo.test", attributes={}))
    original = root.find("saml:Assertion", NS)
    evil = _evil_assertion(original, EMAIL)
    evil.set("ID", original.get("ID"))
    evil.insert(1, copy.deepcopy(original.find("ds:Signature", NS)))
    root.remove(original)
    extensions = root.makeelement(f"{{{NS['samlp']}}}Extensions", {})
    extensions.append(original)
    root.insert(1, extensions)
    root.append(evil)
    _assert_refused(alpha, world, client, serialise(root), "bad_assertion_count")


def test_wrapping_signed_assertion_inside_the_evil_one(alpha, world, idp, client_rid):
    """XSW: the evil assertion keeps the signature; the signed original sits in the signature's
    ds:Object, where the reference would find it by ID."""
    client, rid = client_rid
    root = parse(_valid(world, idp, rid, name_id="nobody@xylo.test", attributes={}))
    original = root.find("saml:Assertion", NS)
    evil = _evil_assertion(original, EMAIL)
    signature = copy.deepcopy(original.find("ds:Signature", NS))
    holder = signature.makeelement(f"{{{NS['ds']}}}Object", {})
    holder.append(copy.deepcopy(original))
    signature.append(holder)
    evil.insert(1, signature)
    root.replace(original, evil)
    response = _assert_refused(alpha, world, client, serialise(root), "bad_assertion_count")
    assert EMAIL not in response.content.decode()


def test_wrapping_a_signed_response_inside_a_forged_one(alpha, world, idp, client_rid):
    """XSW on the message signature: the genuine signed Response (for nobody) nested inside a
    forged outer Response whose unsigned assertion names the victim."""
    client, rid = client_rid
    genuine = parse(
        _valid(
            world,
            idp,
            rid,
            name_id="nobody@xylo.test",
            attributes={},
            sign_assertion=False,
            sign_response=True,
        )
    )
    forged = copy.deepcopy(genuine)
    for sig in forged.findall("ds:Signature", NS):
        forged.remove(sig)
    forged.set("ID", new_id())
    forged.find("saml:Assertion/saml:Subject/saml:NameID", NS).text = EMAIL
    extensions = forged.makeelement(f"{{{NS['samlp']}}}Extensions", {})
    extensions.append(genuine)
    forged.insert(1, extensions)
    _assert_refused(alpha, world, client, serialise(forged), "bad_assertion_count")


# Signature wrapping with exactly ONE saml:Assertion in the whole document. python3-saml counts
# assertions document-wide (``//saml:Assertion``), so every variant above that keeps the signed
# original anywhere (Extensions, ds:Object, inside the evil assertion) is refused by that count
# first. These keep a single assertion, so the signature and reference checks must refuse them:
# the test asserts the recorded cause.


def _refusal_detail(alpha, world) -> str:
    with schema_context(alpha.schema):
        return SamlLoginError.objects.filter(connection=world.conn).first().detail


def test_wrapping_single_evil_assertion_whose_signature_points_to_the_absent_original(
    alpha, world, idp, client_rid
):
    """The only assertion is an unsigned evil one (new ID) carrying the original's Signature,
    whose Reference still points to the original's ID; the original is gone."""
    client, rid = client_rid
    root = parse(_valid(world, idp, rid, name_id="nobody@xylo.test", attributes={}))
    original = root.find("saml:Assertion", NS)
    evil = _evil_assertion(original, EMAIL)
    signature = copy.deepcopy(original.find("ds:Signature", NS))
    assert signature.find("ds:SignedInfo/ds:Reference", NS).get("URI") == "#" + original.get("ID")
    evil.insert(1, signature)
    root.replace(original, evil)
    assert len(root.findall(".//saml:Assertion", NS)) == 1

    _assert_refused(alpha, world, client, serialise(root), "bad_signature")
    assert _refusal_detail(alpha, world) == (
        "Found an invalid Signed Element. SAML Response rejected"
    )


def test_wrapping_single_evil_assertion_with_the_originals_id_and_signature(
    alpha, world, idp, client_rid
):
    """The evil assertion takes the original's ID too, so the Reference finds it: the digest
    over its (different) content must fail."""
    client, rid = client_rid
    root = parse(_valid(world, idp, rid, name_id="nobody@xylo.test", attributes={}))
    original = root.find("saml:Assertion", NS)
    evil = _evil_assertion(original, EMAIL)
    evil.set("ID", original.get("ID"))
    evil.insert(1, copy.deepcopy(original.find("ds:Signature", NS)))
    root.replace(original, evil)
    assert len(root.findall(".//saml:Assertion", NS)) == 1

    _assert_refused(alpha, world, client, serialise(root), "bad_signature")
    assert _refusal_detail(alpha, world) == "Signature validation failed. SAML Response rejected"


def test_wrapping_an_evil_nameid_inserted_into_the_signed_assertion(alpha, world, idp, client_rid):
    """The signed original kept (the only assertion), a second, evil NameID inserted into it
    where the schema allows one (in the SubjectConfirmation): the digest must fail."""
    client, rid = client_rid
    root = parse(_valid(world, idp, rid, name_id="nobody@xylo.test", attributes={}))
    assertion = root.find("saml:Assertion", NS)
    confirmation = assertion.find("saml:Subject/saml:SubjectConfirmation", NS)
    evil_name = copy.deepcopy(assertion.find("saml:Subject/saml:NameID", NS))
    evil_name.text = EMAIL
    confirmation.insert(0, evil_name)
    assert len(root.findall(".//saml:Assertion", NS)) == 1
    assert len(assertion.findall(".//saml:NameID", NS)) == 2

    _assert_refused(alpha, world, client, serialise(root), "bad_signature")
    assert _refusal_detail(alpha, world) == "Signature validation failed. SAML Response rejected"


def test_two_signed_assertions(alpha, world, idp, client_rid):
    client, rid = client_rid
    _assert_refused(
        alpha, world, client, _valid(world, idp, rid, assertions=2), "bad_assertion_count"
    )


# --- Issuer, audience, addresses ----------------------------------------------------------------


def test_wrong_issuer(alpha, world, idp, client_rid):
    client, rid = client_rid
    xml = _valid(world, idp, rid, issuer="https://idp.evil.test/saml")
    _assert_refused(alpha, world, client, xml, "wrong_issuer")


def test_wrong_audience(alpha, world, idp, client_rid):
    client, rid = client_rid
    xml = _valid(world, idp, rid, audience="https://other-sp.test/metadata/")
    _assert_refused(alpha, world, client, xml, "wrong_audience")


def test_missing_audience_restriction(alpha, world, idp, client_rid):
    client, rid = client_rid
    _assert_refused(alpha, world, client, _valid(world, idp, rid, audience=None), "wrong_audience")


def test_audience_of_another_connection(alpha, world, idp, client_rid):
    client, rid = client_rid
    xml = _valid(world, idp, rid, audience=world.sp(world.staff_conn).entity_id)
    _assert_refused(alpha, world, client, xml, "wrong_audience")


def _other_acs(world, which: str) -> str:
    if which == "other tenant":
        return world.sp().acs_url.replace("//alpha.", "//beta.")
    if which == "other connection":
        return world.sp(world.staff_conn).acs_url
    return world.sp().acs_url + "extra/"  # a prefix match: python3-saml alone would accept it


@pytest.mark.parametrize("which", ["other tenant", "other connection", "longer URL"])
def test_destination_of_another_acs(alpha, world, idp, client_rid, which):
    client, rid = client_rid
    xml = _valid(world, idp, rid, destination=_other_acs(world, which))
    _assert_refused(alpha, world, client, xml, "wrong_destination")


@pytest.mark.parametrize("which", ["other tenant", "other connection", "longer URL"])
def test_recipient_of_another_acs(alpha, world, idp, client_rid, which):
    client, rid = client_rid
    xml = _valid(world, idp, rid, recipient=_other_acs(world, which))
    _assert_refused(alpha, world, client, xml, "wrong_recipient")


# --- Time ----------------------------------------------------------------------------------------


def test_expired_assertion(alpha, world, idp, client_rid):
    client, rid = client_rid
    now = datetime.now(tz=UTC)
    xml = _valid(
        world,
        idp,
        rid,
        not_before=now - timedelta(hours=1),
        not_on_or_after=now - timedelta(minutes=10),
    )
    _assert_refused(alpha, world, client, xml, "expired")


def test_not_yet_valid_assertion(alpha, world, idp, client_rid):
    client, rid = client_rid
    now = datetime.now(tz=UTC)
    xml = _valid(
        world,
        idp,
        rid,
        not_before=now + timedelta(minutes=10),
        not_on_or_after=now + timedelta(hours=1),
    )
    _assert_refused(alpha, world, client, xml, "expired")


def test_an_assertion_that_never_expires_is_refused(alpha, world, idp, client_rid):
    client, rid = client_rid
    _assert_refused(alpha, world, client, _valid(world, idp, rid, expires=False), "invalid")
    with schema_context(alpha.schema):
        detail = SamlLoginError.objects.filter(connection=world.conn).first().detail
    assert detail == "the assertion has no NotOnOrAfter: it would never expire"


def test_a_used_assertion_id_is_kept_until_the_assertion_expires(alpha, world, idp, client_rid):
    client, rid = client_rid
    until = datetime.now(tz=UTC).replace(microsecond=0) + timedelta(minutes=30)
    xml = _valid(world, idp, rid, not_on_or_after=until)
    assert post_acs(client, world.conn, xml).status_code == 302
    with schema_context(alpha.schema):
        used = SamlAssertionUse.objects.get(request_id=rid)
    # the Conditions' NotOnOrAfter plus the five minutes of clock skew the check allows
    assert used.expires_at == until + timedelta(minutes=5)


def test_the_id_is_kept_until_the_latest_bearer_confirmation_expires(alpha, world, idp, client_rid):
    """Two bearer confirmations: the second, valid longer than the first and than the
    Conditions, sets how long the id is kept (not the first one found)."""
    client, rid = client_rid
    soon = datetime.now(tz=UTC).replace(microsecond=0) + timedelta(minutes=5)
    later = soon + timedelta(minutes=25)
    root = parse(_valid(world, idp, rid, not_on_or_after=soon, sign_assertion=False))
    assertion = root.find("saml:Assertion", NS)
    subject = assertion.find("saml:Subject", NS)
    second = copy.deepcopy(subject.find("saml:SubjectConfirmation", NS))
    second.find("saml:SubjectConfirmationData", NS).set(
        "NotOnOrAfter", later.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    subject.append(second)
    root.replace(assertion, parse(sign(serialise(assertion), idp.key, idp.cert)))

    assert post_acs(client, world.conn, serialise(root)).status_code == 302
    with schema_context(alpha.schema):
        used = SamlAssertionUse.objects.get(request_id=rid)
    assert used.expires_at == later + timedelta(minutes=5)


# --- InResponseTo ------------------------------------------------------------------------------


def test_unknown_in_response_to(alpha, world, idp, client_rid):
    client, _ = client_rid
    _assert_refused(alpha, world, client, _valid(world, idp, new_id()), "unknown_request")


def test_in_response_to_of_another_browser_session(alpha, world, idp, client_rid):
    client, _ = client_rid
    foreign = start(alpha.client(), EMAIL)  # someone else's sign-in
    _assert_refused(alpha, world, client, _valid(world, idp, foreign), "unknown_request")


def test_in_response_to_of_a_request_for_another_connection(alpha, world, idp):
    client = alpha.client()
    rid = start(client, "dora@alpha-corp.test")  # started for the staff connection
    _assert_refused(alpha, world, client, _valid(world, idp, rid), "unknown_request")


def test_a_signed_unsolicited_assertion_in_a_response_naming_our_request_is_refused(
    alpha, world, idp, client_rid
):
    """The Response's InResponseTo is outside the assertion's signature: an attacker wraps a
    signed assertion issued without a request (no InResponseTo in its confirmation) in a
    Response carrying their own pending request id. The signed confirmation must name it."""
    client, rid = client_rid
    root = parse(_valid(world, idp, None))
    assert (
        root.find("saml:Assertion", NS)
        .find(".//saml:SubjectConfirmationData", NS)
        .get("InResponseTo")
        is None
    )
    root.set("InResponseTo", rid)
    _assert_refused(alpha, world, client, serialise(root), "unknown_request")
    with schema_context(alpha.schema):
        detail = SamlLoginError.objects.filter(connection=world.conn).first().detail
    assert detail == f"SubjectConfirmationData InResponseTo [None] != the request {rid}"


def test_unsolicited_response_is_refused_by_default(alpha, world, idp, client_rid):
    client, _ = client_rid
    _assert_refused(alpha, world, client, _valid(world, idp, None), "unsolicited")


# --- XML ----------------------------------------------------------------------------------------


def test_doctype_is_refused_with_400(alpha, world, idp, client_rid):
    client, rid = client_rid
    xml = '<?xml version="1.0"?><!DOCTYPE r [<!ELEMENT r ANY>]>' + _valid(world, idp, rid)
    _assert_refused(alpha, world, client, xml, "forbidden_xml", status=400)


def test_entity_expansion_bomb_is_refused_with_400(alpha, world, idp, client_rid):
    client, rid = client_rid
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    xml = bomb + _valid(world, idp, rid, name_id="bomb@xylo.test").replace(
        "bomb@xylo.test", "&lol3;"
    )
    _assert_refused(alpha, world, client, xml, "forbidden_xml", status=400)


def test_garbage_is_refused_with_400(alpha, world, client_rid):
    client, _ = client_rid
    with schema_context(alpha.schema):
        before = world.audit_count()
    response = client.post(
        f"/sso/saml/{world.conn.public_id}/acs/", {"SAMLResponse": "%%%not base64"}
    )
    assert response.status_code == 400
    assert signed_in_user_id(client) is None
    assert world.audit_count() == before + 1
    assert world.last_audit().details["reason"] == "malformed"


# --- Replay --------------------------------------------------------------------------------------


def test_the_same_response_twice_signs_in_once(alpha, world, idp, client_rid):
    client, rid = client_rid
    xml = _valid(world, idp, rid)
    assert post_acs(client, world.conn, xml).status_code == 302
    client.post("/logout/")
    _assert_refused(alpha, world, client, xml, "unknown_request")


def test_a_used_assertion_id_is_refused_for_a_new_request(alpha, world, idp, client_rid):
    """Even answering a fresh request of this session, an assertion id seen before is refused."""
    client, rid = client_rid
    assertion_id = new_id()
    assert (
        post_acs(client, world.conn, _valid(world, idp, rid, assertion_id=assertion_id)).status_code
        == 302
    )
    client.post("/logout/")
    rid2 = start(client, EMAIL)
    _assert_refused(
        alpha, world, client, _valid(world, idp, rid2, assertion_id=assertion_id), "replay"
    )


def test_an_inactive_connection_refuses_responses(alpha, world, idp, client_rid):
    client, rid = client_rid
    with schema_context(alpha.schema):
        connection_update(
            actor=alpha.admin, connection=world.conn, data=company_input(world.x, idp, active=False)
        )
    _assert_refused(alpha, world, client, _valid(world, idp, rid), "connection_inactive")


def test_a_signed_message_with_a_signed_assertion_is_accepted(alpha, world, idp, client_rid):
    client, rid = client_rid
    assert (
        post_acs(client, world.conn, _valid(world, idp, rid, sign_response=True)).status_code == 302
    )
    assert signed_in_user_id(client) == str(world.x_member.pk)


def test_signing_helper_signs_the_assertion_alone(idp):
    """Guard for the suite itself: the IdP's assertion signature covers the assertion's ID."""
    signed = parse(
        sign(
            idp.assertion(name_id=EMAIL, audience="a", recipient="r", in_response_to="i"),
            idp.key,
            idp.cert,
        )
    )
    reference = signed.find("ds:Signature/ds:SignedInfo/ds:Reference", NS)
    assert reference.get("URI") == "#" + signed.get("ID")


def test_a_flood_of_refused_posts_is_cut_off_per_address_without_writing(
    alpha, world, idp, client_rid, settings
):
    settings.PORTICO_RATE_LIMITS = {**settings.PORTICO_RATE_LIMITS, "saml:ip": (3, 900)}
    client, rid = client_rid
    junk = _valid(world, idp, rid, sign_assertion=False)
    for _ in range(3):
        assert post_acs(client, world.conn, junk).status_code == 403
    before = world.audit_count()
    with schema_context(alpha.schema):
        errors = SamlLoginError.objects.filter(connection=world.conn).count()

    cut = post_acs(client, world.conn, junk)

    assert cut.status_code == 429
    assert "Too many refused sign-ins from your address. Try again in" in cut.content.decode()
    assert world.audit_count() == before
    with schema_context(alpha.schema):
        assert SamlLoginError.objects.filter(connection=world.conn).count() == errors
    # another address is still heard
    other = alpha.client(REMOTE_ADDR="198.51.100.200")
    start(other, EMAIL)  # a session of its own (else the ACS first bounces the post)
    assert post_acs(other, world.conn, junk).status_code == 403
