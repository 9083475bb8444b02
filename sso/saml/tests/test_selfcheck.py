"""The start-up self-check signs and verifies with the installed lxml/xmlsec; when it fails,
SAML is off with a clear message (HTTP 503) and ``manage.py check`` reports it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.apps import apps
from django.core import checks
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from sso.saml import selfcheck
from sso.saml.tests.conftest import start

pytestmark = pytest.mark.django_db


def test_the_self_check_passes_with_the_installed_lxml_and_xmlsec():
    outcome = selfcheck.run()
    assert outcome == selfcheck.SelfCheck(
        True, "signed and verified a SAML response with lxml/xmlsec"
    )
    assert [
        m.id for m in checks.run_checks(tags=[checks.Tags.security]) if m.id == "saml.E001"
    ] == []


@pytest.fixture
def broken() -> Iterator[None]:
    """This process's result as after a failed check (the libraries here are fine)."""
    selfcheck.remember(selfcheck.SelfCheck(False, "lxml & xmlsec libxml2 library version mismatch"))
    try:
        yield
    finally:
        selfcheck.remember(None)


def test_when_the_check_failed_saml_endpoints_answer_503(alpha, world, broken):
    client = alpha.client()
    before = world.audit_count()
    for response in (
        client.post("/sso/saml/discover/", {"sso-email": "x-buyer@xylo.test"}),
        client.get(f"/sso/saml/{world.conn.public_id}/metadata/"),
        client.post(f"/sso/saml/{world.conn.public_id}/acs/", {"SAMLResponse": "eA=="}),
    ):
        assert response.status_code == 503
        assert "Single sign-on is switched off on this server" in response.content.decode()
    assert world.audit_count() == before
    errors = [m for m in checks.run_checks(tags=[checks.Tags.security]) if m.id == "saml.E001"]
    assert [e.msg for e in errors] == [
        "SAML self-check failed: lxml & xmlsec libxml2 library version mismatch"
    ]


def test_after_the_check_is_run_again_saml_works(alpha, world):
    selfcheck.remember(None)
    assert selfcheck.result().ok
    start(alpha.client(), "x-buyer@xylo.test")


def test_the_check_runs_when_the_app_starts():
    selfcheck.remember(None)
    try:
        assert selfcheck.known() is None
        apps.get_app_config("saml").ready()  # what Django runs at process start
        assert selfcheck.known() == selfcheck.SelfCheck(
            True, "signed and verified a SAML response with lxml/xmlsec"
        )
    finally:
        selfcheck.remember(None)


def test_a_verifier_that_accepts_anything_fails_the_check(monkeypatch):
    """As a broken xmlsec would: every signature 'verifies', so the tampered response passes
    and the check must say so."""
    monkeypatch.setattr(
        OneLogin_Saml2_Utils, "validate_node_sign", staticmethod(lambda *a, **k: True)
    )
    assert selfcheck.run() == selfcheck.SelfCheck(False, "a tampered response verified")


def test_a_verifier_that_refuses_everything_fails_the_check(monkeypatch):
    monkeypatch.setattr(
        OneLogin_Saml2_Utils, "validate_node_sign", staticmethod(lambda *a, **k: False)
    )
    outcome = selfcheck.run()
    assert outcome.ok is False
    assert outcome.detail.startswith("a freshly signed response did not verify (")


def test_a_signer_that_raises_fails_the_check(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("lxml & xmlsec libxml2 library version mismatch")

    monkeypatch.setattr(OneLogin_Saml2_Utils, "add_sign", staticmethod(broken))
    assert selfcheck.run() == selfcheck.SelfCheck(
        False, "RuntimeError: lxml & xmlsec libxml2 library version mismatch"
    )
