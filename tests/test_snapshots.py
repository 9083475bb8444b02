"""Snapshots of the signed-in user, portal settings and theme: a warm request reads none of them
from the database, a change through a service is seen by the very next request, tenants never
read each other's snapshots (user ids repeat across schemas), and nothing read inside an open
transaction is kept."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from branding.services import theme_update
from commerce.customers.services import member_deactivate
from commerce.selectors import portal_settings
from conftest import TEST_PASSWORD
from core.snapshots import SNAPSHOTS
from sso.models import User
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _snapshots_on(settings, alpha, beta):
    settings.SNAPSHOT_CACHE_SECONDS = 300
    for schema in (alpha.schema, beta.schema):
        SNAPSHOTS.bump(schema)  # a namespace of its own for this test


def signed_in(tenant, email):
    client = tenant.client()
    assert client.post("/login/", {"email": email, "password": TEST_PASSWORD}).status_code == 302
    return client


def test_a_warm_page_reads_user_settings_and_theme_from_snapshots(alpha):
    with schema_context(alpha.schema):
        MembershipFactory(user__email="a@buyer.test")
    client = signed_in(alpha, "a@buyer.test")
    assert client.get("/catalogue/").status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get("/catalogue/").status_code == 200
    sql = " ".join(query["sql"] for query in warm.captured_queries)
    assert '"sso_user"' not in sql
    assert '"commerce_portalsettings"' not in sql
    assert '"branding_theme"' not in sql


def test_a_member_deactivated_through_the_service_is_signed_out_at_once(
    alpha, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema):
        membership = MembershipFactory(user__email="a@buyer.test")
    client = signed_in(alpha, "a@buyer.test")
    assert client.get("/catalogue/").status_code == 200
    with schema_context(alpha.schema):
        # Behind the services' back the snapshot still serves (it really is a snapshot)...
        User.objects.filter(email="a@buyer.test").update(full_name="Changed Quietly")
    assert client.get("/api/v1/me").json()["full_name"] != "Changed Quietly"
    with schema_context(alpha.schema), django_capture_on_commit_callbacks(execute=True):
        # ...a change through a service is seen by the next request.
        member_deactivate(actor=alpha.admin, membership=membership)
    response = client.get("/catalogue/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_theme_change_reaches_the_next_page(alpha, django_capture_on_commit_callbacks):
    client = alpha.client()
    assert "#1d4ed8" not in client.get("/login/").content.decode()
    with schema_context(alpha.schema), django_capture_on_commit_callbacks(execute=True):
        theme_update(
            actor=alpha.admin,
            display_name="Alpha Supplies",
            primary_color="#1d4ed8",
            accent_color="#0f766e",
            font="system",
        )
    assert "#1d4ed8" in client.get("/login/").content.decode()


def test_the_same_user_id_in_two_tenants_is_two_snapshots(alpha, beta):
    for tenant, name in ((alpha, "Alma Alpha"), (beta, "Bert Beta")):
        with schema_context(tenant.schema):
            user = UserFactory(pk=987_654, email="same@buyer.test", full_name=name)
            MembershipFactory(user=user)
    alpha_client = signed_in(alpha, "same@buyer.test")
    beta_client = signed_in(beta, "same@buyer.test")
    for _ in range(2):  # cold, then warm
        assert alpha_client.get("/api/v1/me").json()["full_name"] == "Alma Alpha"
        assert beta_client.get("/api/v1/me").json()["full_name"] == "Bert Beta"


def test_nothing_read_inside_an_open_transaction_is_kept(alpha):
    with schema_context(alpha.schema):
        with transaction.atomic():
            assert portal_settings().currency == "EUR"
        with CaptureQueriesContext(connection) as after:
            portal_settings()
        assert len(after.captured_queries) == 1  # read again: the first read was not kept
        with CaptureQueriesContext(connection) as warm:
            portal_settings()
        assert warm.captured_queries == []


def test_a_warm_page_reads_user_settings_and_theme_in_one_round_trip(alpha, monkeypatch):
    from django.core.cache import cache

    with schema_context(alpha.schema):
        MembershipFactory(user__email="a@buyer.test")
    client = signed_in(alpha, "a@buyer.test")
    assert client.get("/catalogue/").status_code == 200  # warms the snapshots
    reads: list[list[str]] = []
    real_get_many = cache.get_many

    def counting_get_many(keys, *args, **kwargs):
        reads.append([k for k in keys if k.startswith("snapshot:")])
        return real_get_many(keys, *args, **kwargs)

    monkeypatch.setattr(cache, "get_many", counting_get_many)
    assert client.get("/catalogue/").status_code == 200
    snapshot_reads = [keys for keys in reads if keys]
    assert len(snapshot_reads) == 1
    with schema_context(alpha.schema):
        user_id = User.objects.get(email="a@buyer.test").pk
    assert sorted(snapshot_reads[0]) == [
        "snapshot:portal-settings",
        "snapshot:theme",
        f"snapshot:user:{user_id}",
        "snapshot:version",
    ]
