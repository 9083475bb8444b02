"""Sessions: listed per user, ended by their user or an administrator, touched cheaply."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.customers.choices import MemberRole
from conftest import TEST_PASSWORD
from sso.models import UserSession
from sso.services.sessions import SEEN_KEY
from sso.tests.support import password_step
from tests.factories import CompanyFactory, MembershipFactory, UserFactory


@pytest.fixture
def team(alpha):
    """Company X with an admin and two buyers, company Y with an admin."""
    with schema_context(alpha.schema):
        x, y = CompanyFactory(name="Xenon AG"), CompanyFactory(name="Yew BV")
        people = {
            "xa": MembershipFactory(
                company=x, role=MemberRole.COMPANY_ADMIN, user=UserFactory(email="xa@buyer.test")
            ),
            "xb": MembershipFactory(company=x, user=UserFactory(email="xb@buyer.test")),
            "xc": MembershipFactory(company=x, user=UserFactory(email="xc@buyer.test")),
            "ya": MembershipFactory(
                company=y, role=MemberRole.COMPANY_ADMIN, user=UserFactory(email="ya@buyer.test")
            ),
        }
    return people


def signed_in(tenant, email, agent="Browser/1.0"):
    client = tenant.client(HTTP_USER_AGENT=agent, REMOTE_ADDR="198.51.100.7")
    assert password_step(client, email).status_code == 302
    return client


def _sessions(schema, email):
    with schema_context(schema):
        return list(UserSession.objects.filter(user__email=email).order_by("created_at"))


def test_users_see_their_sessions_and_end_another_one(alpha, team):
    laptop = signed_in(alpha, "xb@buyer.test", "Laptop/1.0")
    phone = signed_in(alpha, "xb@buyer.test", "Phone/2.0")
    page = laptop.get("/account/security/").content.decode()
    assert "Laptop/1.0" in page and "Phone/2.0" in page and "198.51.100.7" in page
    assert page.count("This session") == 1

    phone_session = next(
        s for s in _sessions(alpha.schema, "xb@buyer.test") if s.user_agent == "Phone/2.0"
    )
    response = laptop.post(f"/account/sessions/{phone_session.public_id}/end/")
    assert response.status_code == 302
    assert phone.get("/catalogue/")["Location"].startswith("/login/")
    assert laptop.get("/catalogue/").status_code == 200
    assert [s.user_agent for s in _sessions(alpha.schema, "xb@buyer.test")] == ["Laptop/1.0"]
    with schema_context(alpha.schema):
        entry = AuditEntry.objects.filter(action="auth.session_ended").latest("id")
    assert (entry.actor_label, entry.details["reason"]) == ("xb@buyer.test", "ended_by_user")


def test_end_all_other_sessions_keeps_this_one(alpha, team):
    here = signed_in(alpha, "xb@buyer.test", "Here/1.0")
    others = [signed_in(alpha, "xb@buyer.test", f"Other/{n}") for n in range(2)]
    assert here.post("/account/sessions/end-others/").status_code == 302
    assert [c.get("/catalogue/").status_code for c in others] == [302, 302]
    assert here.get("/catalogue/").status_code == 200
    assert [s.user_agent for s in _sessions(alpha.schema, "xb@buyer.test")] == ["Here/1.0"]


def test_someone_elses_session_is_not_found_and_stays(alpha, team):
    victim = signed_in(alpha, "xc@buyer.test")
    intruder = signed_in(alpha, "xb@buyer.test")
    target = _sessions(alpha.schema, "xc@buyer.test")[0]
    assert intruder.post(f"/account/sessions/{target.public_id}/end/").status_code == 404
    assert victim.get("/catalogue/").status_code == 200
    assert len(_sessions(alpha.schema, "xc@buyer.test")) == 1


def test_a_supplier_admin_ends_a_buyers_sessions(alpha, team):
    buyer = signed_in(alpha, "xb@buyer.test")
    admin = signed_in(alpha, "admin@alpha.test")
    user_id = team["xb"].user.public_id
    listing = admin.get(f"/backoffice/users/{user_id}/sessions/")
    assert listing.status_code == 200 and "Browser/1.0" in listing.content.decode()
    assert admin.post(f"/backoffice/users/{user_id}/sessions/end/").status_code == 302
    assert buyer.get("/catalogue/").status_code == 302
    assert _sessions(alpha.schema, "xb@buyer.test") == []
    with schema_context(alpha.schema):
        entry = AuditEntry.objects.filter(action="auth.session_ended").latest("id")
    assert (entry.actor_label, entry.object_id, entry.details) == (
        "admin@alpha.test",
        str(user_id),
        {"sessions": 1, "reason": "ended_by_admin"},
    )


def test_a_company_admin_ends_own_members_sessions_only(alpha, team):
    member = signed_in(alpha, "xb@buyer.test")
    x_admin = signed_in(alpha, "xa@buyer.test")
    y_admin = signed_in(alpha, "ya@buyer.test")
    plain = signed_in(alpha, "xc@buyer.test")
    path = f"/company/team/{team['xb'].public_id}/sessions/"

    assert y_admin.get(path).status_code == 404
    assert y_admin.post(path + "end/").status_code == 404
    assert plain.post(path + "end/").status_code == 403
    assert member.get("/catalogue/").status_code == 200

    assert x_admin.get(path).status_code == 200
    assert x_admin.post(path + "end/").status_code == 302
    assert member.get("/catalogue/").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(alpha, team):
    client = signed_in(alpha, "xb@buyer.test")
    before = _sessions(alpha.schema, "xb@buyer.test")[0].last_seen_at

    with CaptureQueriesContext(connection) as fresh:
        client.get("/account/security/")
    assert not [q for q in fresh.captured_queries if 'UPDATE "sso_usersession"' in q["sql"]]

    session = client.session
    session[SEEN_KEY] = 0  # the last touch was long ago
    session.save()
    with CaptureQueriesContext(connection) as stale:
        client.get("/account/security/")
    assert len([q for q in stale.captured_queries if 'UPDATE "sso_usersession"' in q["sql"]]) == 1
    assert _sessions(alpha.schema, "xb@buyer.test")[0].last_seen_at > before


def test_signing_out_forgets_the_session(alpha, team):
    client = signed_in(alpha, "xb@buyer.test")
    assert len(_sessions(alpha.schema, "xb@buyer.test")) == 1
    client.post("/logout/")
    assert _sessions(alpha.schema, "xb@buyer.test") == []


def test_only_a_hash_of_the_session_key_is_readable(alpha, team):
    client = signed_in(alpha, "xb@buyer.test")
    key = client.cookies["portico_session"].value
    record = _sessions(alpha.schema, "xb@buyer.test")[0]
    assert key not in record.sealed_key and key != record.key_hash
    assert len(record.key_hash) == 64


def test_a_refused_password_records_no_session(alpha, team):
    """A refused password leaves no session record behind."""
    client = alpha.client()
    assert password_step(client, "xb@buyer.test", "wrong-" + TEST_PASSWORD).status_code == 400
    assert _sessions(alpha.schema, "xb@buyer.test") == []


def test_a_session_from_before_session_records_is_recorded_at_its_next_touch(alpha, team):
    client = signed_in(alpha, "xb@buyer.test")
    with schema_context(alpha.schema):
        UserSession.objects.filter(user__email="xb@buyer.test").delete()
    session = client.session
    session[SEEN_KEY] = 0
    session.save()
    assert client.get("/catalogue/").status_code == 200
    assert [s.method for s in _sessions(alpha.schema, "xb@buyer.test")] == ["earlier"]


def test_ending_this_very_session_signs_out(alpha, team):
    client = signed_in(alpha, "xb@buyer.test")
    record = _sessions(alpha.schema, "xb@buyer.test")[0]
    response = client.post(f"/account/sessions/{record.public_id}/end/")
    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert client.get("/catalogue/").status_code == 302
    assert _sessions(alpha.schema, "xb@buyer.test") == []


def test_deactivating_a_member_ends_their_sessions_and_their_old_cookie_stays_anonymous(
    alpha, team
):
    from commerce.customers.services import member_deactivate

    browser = signed_in(alpha, "xb@buyer.test")
    with schema_context(alpha.schema):
        UserSession.objects.filter(user__email="xb@buyer.test").delete()  # from before records
        session = browser.session
        session[SEEN_KEY] = 0  # last touched long ago: the next request would touch it
        session.save()
        member_deactivate(actor=team["xa"].user, membership=team["xb"])
    # a session without a record whose user is deactivated: anonymous, never a 500
    assert browser.get("/catalogue/")["Location"].startswith("/login/")

    other = signed_in(alpha, "xc@buyer.test")
    with schema_context(alpha.schema):
        member_deactivate(actor=team["xa"].user, membership=team["xc"])
        ended = AuditEntry.objects.filter(action="auth.session_ended").latest("id")
    assert _sessions(alpha.schema, "xc@buyer.test") == []
    assert ended.details == {"sessions": 1, "reason": "deactivated"}
    assert other.get("/catalogue/")["Location"].startswith("/login/")
