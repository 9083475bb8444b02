"""A SAML sign-in takes Portico's second step like a password does (decision 0009): staff
under the required policy enrol, a company requiring TOTP has its buyers enrol, and anyone
with an authenticator gives its code before the session is signed in."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from sso.models import User
from sso.saml.tests.conftest import post_acs, signed_in_user_id, start
from sso.tests.support import code_for, code_for_secret, enrolled

pytestmark = pytest.mark.django_db


def _saml_response(world, idp, conn, rid, email, attributes):
    sp = world.sp(conn)
    return idp.response(
        acs_url=sp.acs_url,
        audience=sp.entity_id,
        in_response_to=rid,
        name_id=email,
        attributes=attributes,
    )


def _entries_since(schema: str, last: int) -> list[tuple[str, dict]]:
    with schema_context(schema):
        return list(
            AuditEntry.objects.filter(id__gt=last).order_by("id").values_list("action", "details")
        )


def _last_id(world) -> int:
    entry = world.last_audit()
    return entry.pk if entry else 0


def test_staff_signed_in_by_saml_must_enrol_before_the_session_is_signed_in(
    alpha, world, staff_idp, settings
):
    settings.PORTICO_TOTP_REQUIRED_FOR_STAFF = True
    client = alpha.client()
    rid = start(client, "dora.dispatch@alpha-corp.test")
    last = _last_id(world)

    response = post_acs(
        client,
        world.staff_conn,
        _saml_response(
            world, staff_idp, world.staff_conn, rid, "dora.dispatch@alpha-corp.test", None
        ),
    )

    assert (response.status_code, response["Location"]) == (302, "/account/two-factor/setup/")
    assert signed_in_user_id(client) is None
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/backoffice/")["Location"] == "/login/?next=/backoffice/"
    with schema_context(alpha.schema):
        user = User.objects.get(email="dora.dispatch@alpha-corp.test")
    connection = {"connection": str(world.staff_conn.public_id)}
    assert _entries_since(alpha.schema, last) == [
        ("user.created", {"kind": "staff", "staff_role": "dispatcher"}),
        ("auth.password_verified", {"method": "saml", "next_step": "enrol", **connection}),
    ]

    page = client.get("/account/two-factor/setup/").content.decode()
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    done = client.post("/account/two-factor/setup/", {"code": code_for_secret(secret)})

    assert done.status_code == 200
    assert signed_in_user_id(client) == str(user.pk)
    assert client.get("/api/v1/me").status_code == 200
    assert _entries_since(alpha.schema, last)[-1] == (
        "auth.login",
        {"method": "otp", **connection},
    )


def test_a_buyer_with_an_authenticator_gives_the_code_after_saml(alpha, world, idp):
    with schema_context(alpha.schema):
        device = enrolled(world.x_member)
    client = alpha.client()
    rid = start(client, "x-buyer@xylo.test")
    last = _last_id(world)

    response = post_acs(
        client,
        world.conn,
        _saml_response(
            world, idp, world.conn, rid, "x-buyer@xylo.test", {"mail": ["x-buyer@xylo.test"]}
        ),
    )

    assert (response.status_code, response["Location"]) == (302, "/login/verify/")
    assert signed_in_user_id(client) is None
    assert client.get("/api/v1/me").status_code == 401
    with schema_context(alpha.schema):
        verified = client.post("/login/verify/", {"code": code_for(device)})
    assert (verified.status_code, verified["Location"]) == (302, "/catalogue/")
    assert signed_in_user_id(client) == str(world.x_member.pk)
    connection = {"connection": str(world.conn.public_id)}
    assert _entries_since(alpha.schema, last) == [
        ("auth.password_verified", {"method": "saml", "next_step": "otp", **connection}),
        ("auth.login", {"method": "otp", **connection}),
    ]


def test_a_company_requiring_totp_has_its_saml_buyers_enrol(alpha, world, idp):
    with schema_context(alpha.schema):
        world.x.two_factor_policy = "required"
        world.x.save(update_fields=["two_factor_policy"])
    client = alpha.client()
    rid = start(client, "x-buyer@xylo.test")

    response = post_acs(
        client,
        world.conn,
        _saml_response(
            world, idp, world.conn, rid, "x-buyer@xylo.test", {"mail": ["x-buyer@xylo.test"]}
        ),
    )

    assert (response.status_code, response["Location"]) == (302, "/account/two-factor/setup/")
    assert signed_in_user_id(client) is None
    assert client.get("/api/v1/me").status_code == 401


def test_without_a_second_factor_due_saml_signs_in_at_once(alpha, world, idp):
    client = alpha.client()
    rid = start(client, "x-buyer@xylo.test")

    response = post_acs(
        client,
        world.conn,
        _saml_response(
            world, idp, world.conn, rid, "x-buyer@xylo.test", {"mail": ["x-buyer@xylo.test"]}
        ),
    )

    assert (response.status_code, response["Location"]) == (302, "/catalogue/")
    assert signed_in_user_id(client) == str(world.x_member.pk)
    assert client.get("/api/v1/me").status_code == 200
