"""IdP-initiated sign-in (off by default): an unsolicited response can be posted by any site
(login CSRF), so it never replaces another user's session and signs in only after the
browser's user confirms "Continue as …" on our own page (CSRF-protected POST, a short-lived
token kept in the session)."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from sso.saml.models import SamlAssertionUse
from sso.saml.services import connection_update
from sso.saml.tests.conftest import company_input, signed_in_user_id
from sso.saml.tests.idp import encode
from sso.tests.support import password_step

pytestmark = pytest.mark.django_db

EMAIL = "x-buyer@xylo.test"


@pytest.fixture
def idp_initiated(alpha, world, idp):
    with schema_context(alpha.schema):
        connection_update(
            actor=alpha.admin,
            connection=world.conn,
            data=company_input(world.x, idp, allow_idp_initiated=True),
        )


def _unsolicited(world, idp, email: str = EMAIL) -> str:
    sp = world.sp()
    return idp.response(
        acs_url=sp.acs_url,
        audience=sp.entity_id,
        in_response_to=None,
        name_id=email,
        attributes={"mail": [email]},
    )


def _post(client, world, xml: str, *, bounced: bool = True):
    data = {"SAMLResponse": encode(xml)}
    if bounced:
        data["portico_bounced"] = "1"
    return client.post(f"/sso/saml/{world.conn.public_id}/acs/", data)


def _form_values(html: str) -> dict[str, str]:
    return dict(re.findall(r'name="(csrfmiddlewaretoken|token)" value="([^"]+)"', html))


def test_an_unsolicited_response_asks_for_confirmation_and_only_the_post_signs_in(
    alpha, world, idp, idp_initiated
):
    client = alpha.client(enforce_csrf_checks=True)
    xml = _unsolicited(world, idp)
    # a browser arriving from the IdP's site brings no (SameSite=Lax) session cookie: the ACS
    # posts the response again from its own page
    bounce = _post(client, world, xml, bounced=False)
    assert bounce.status_code == 200
    assert 'name="portico_bounced"' in bounce.content.decode()
    before = world.audit_count()

    page = _post(client, world, xml)

    html = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert f"Continue as {EMAIL}" in html
    assert f'action="/sso/saml/{world.conn.public_id}/acs/confirm/"' in html
    assert signed_in_user_id(client) is None
    assert world.audit_count() == before  # nothing signed in yet, nothing to audit
    with schema_context(alpha.schema):
        assert SamlAssertionUse.objects.filter(connection=world.conn).count() == 1  # used up

    values = _form_values(html)
    confirmed = client.post(f"/sso/saml/{world.conn.public_id}/acs/confirm/", values)

    assert (confirmed.status_code, confirmed["Location"]) == (302, "/catalogue/")
    assert signed_in_user_id(client) == str(world.x_member.pk)
    entry = world.last_audit()
    assert (entry.action, entry.details) == (
        "auth.login",
        {"method": "saml", "connection": str(world.conn.public_id)},
    )
    # the token is single-use
    again = client.post(f"/sso/saml/{world.conn.public_id}/acs/confirm/", values)
    assert again.status_code == 403


def test_the_confirmation_needs_the_csrf_token(alpha, world, idp, idp_initiated):
    client = alpha.client(enforce_csrf_checks=True)
    values = _form_values(_post(client, world, _unsolicited(world, idp)).content.decode())
    before = world.audit_count()

    response = client.post(
        f"/sso/saml/{world.conn.public_id}/acs/confirm/", {"token": values["token"]}
    )

    assert response.status_code == 403
    assert signed_in_user_id(client) is None
    assert world.audit_count() == before


def test_a_confirmation_token_from_another_session_is_refused(alpha, world, idp, idp_initiated):
    """The attacker's own token is worthless in the victim's browser: it lives in the session."""
    attacker = alpha.client()
    token = _form_values(_post(attacker, world, _unsolicited(world, idp)).content.decode())["token"]
    victim = alpha.client()
    victim.get("/login/")
    before = world.audit_count()

    response = victim.post(f"/sso/saml/{world.conn.public_id}/acs/confirm/", {"token": token})

    assert response.status_code == 403
    assert "not confirmed in time, or not from this browser" in response.content.decode()
    assert signed_in_user_id(victim) is None
    assert world.audit_count() == before + 1
    entry = world.last_audit()
    assert (entry.action, entry.details) == (
        "auth.login_failed",
        {
            "method": "saml",
            "reason": "confirmation_expired",
            "connection": str(world.conn.public_id),
        },
    )


def test_an_unsolicited_response_never_replaces_another_signed_in_user(
    alpha, world, idp, idp_initiated
):
    client = alpha.client()
    assert password_step(client, alpha.admin.email).status_code == 302
    signed_in = signed_in_user_id(client)
    assert signed_in == str(alpha.admin.pk)
    before = world.audit_count()

    response = _post(client, world, _unsolicited(world, idp))

    assert response.status_code == 403
    assert f"You are signed in as {alpha.admin.email}. Sign out first" in response.content.decode()
    assert signed_in_user_id(client) == signed_in
    assert world.audit_count() == before + 1
    assert world.last_audit().details == {
        "method": "saml",
        "reason": "other_session",
        "connection": str(world.conn.public_id),
    }
    with schema_context(alpha.schema):
        assert SamlAssertionUse.objects.count() == 0


def test_the_idp_initiated_checkbox_carries_a_warning(alpha, world):
    client = alpha.client()
    password_step(client, alpha.admin.email)
    page = client.get(f"/backoffice/sso/{world.conn.public_id}/edit/").content.decode()
    assert "any website can make a browser post one" in page
