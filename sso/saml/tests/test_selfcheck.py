"""The start-up self-check signs and verifies with the installed lxml/xmlsec; when it fails,
SAML is off with a clear message (HTTP 503) and ``manage.py check`` reports it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import checks

from sso.saml import selfcheck
from sso.saml.tests.conftest import start

pytestmark = pytest.mark.django_db


def test_the_self_check_passes_with_the_installed_lxml_and_xmlsec():
    outcome = selfcheck.run()
    assert outcome == selfcheck.SelfCheck(True, "signed and verified an assertion with lxml/xmlsec")
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
