"""Tenant isolation: hosts, sessions, API keys, search_path reuse and parked portals."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from api.services import api_key_create
from conftest import TEST_PASSWORD
from tenants import routing
from tenants.services import tenant_set_status


def login(client: Client, email: str) -> None:
    response = client.post("/login/", {"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def test_unknown_host_is_a_plain_404_never_the_public_site(tenants):
    for host in (
        "nope.portico.localhost",
        "portico.localhost.evil.test",
        "_portico_template",
        "127.0.0.1",
    ):
        response = Client(HTTP_HOST=host).get("/")
        assert response.status_code == 404
        body = response.content.decode()
        assert "There is no portal at this address." in body
        assert "Start your portal" not in body


def test_rows_of_tenant_a_are_invisible_from_b_by_page_and_api(alpha, beta):
    with schema_context(alpha.schema):
        key, raw = api_key_create(actor=alpha.admin, name="Alpha ERP", scopes=["read"])
    a, b = alpha.client(), beta.client()
    login(a, "admin@alpha.test")
    login(b, "admin@beta.test")

    assert "Alpha ERP" in a.get("/backoffice/api-keys/").content.decode()
    page_b = b.get("/backoffice/api-keys/").content.decode()
    assert "Alpha ERP" not in page_b and key.prefix not in page_b
    # Alpha's key is unknown on beta's API, and its id does not resolve on beta's pages.
    assert (
        Client(HTTP_HOST=alpha.host)
        .get("/api/v1/me", HTTP_AUTHORIZATION=f"Api-Key {raw}")
        .status_code
        == 200
    )
    on_b = Client(HTTP_HOST=beta.host).get("/api/v1/me", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert on_b.status_code == 401
    assert on_b.json()["message"].startswith("This API key is unknown or revoked.")
    assert b.post(f"/backoffice/api-keys/{key.public_id}/revoke").status_code == 404
    with schema_context(alpha.schema):
        key.refresh_from_db()
        assert key.revoked_at is None


def test_a_session_cookie_from_a_is_anonymous_on_b(alpha, beta, settings):
    a = alpha.client()
    login(a, "admin@alpha.test")
    cookie = a.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["domain"] == ""  # host-only
    assert a.get("/api/v1/me").json()["email"] == "admin@alpha.test"

    b = beta.client()
    b.cookies[settings.SESSION_COOKIE_NAME] = cookie.value
    assert b.get("/backoffice/").status_code == 302
    assert b.get("/backoffice/")["Location"] == "/login/?next=/backoffice/"
    assert b.get("/api/v1/me").status_code == 401


def test_alternating_hosts_on_one_connection_never_mix_schemas(alpha, beta):
    """search_path is only re-issued when the schema changes; data must still follow the host."""
    a, b = alpha.client(), beta.client()
    login(a, "admin@alpha.test")
    login(b, "admin@beta.test")
    for _ in range(3):
        assert a.get("/api/v1/me").json()["portal"] == {
            "name": "Alpha Supplies",
            "domain": alpha.host,
        }
        assert b.get("/api/v1/me").json()["portal"] == {"name": "Beta Parts", "domain": beta.host}
        assert a.get("/api/v1/me").json()["email"] == "admin@alpha.test"


def test_same_schema_requests_do_not_reissue_search_path(alpha, django_assert_max_num_queries):
    a = alpha.client()
    login(a, "admin@alpha.test")
    a.get("/api/v1/me")  # warm: route cached, search_path set
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        a.get("/api/v1/me")
    statements = [q["sql"] for q in ctx.captured_queries]
    assert not any(s.startswith("SET search_path") for s in statements), statements
    assert not any("tenants_domain" in s for s in statements), statements


def test_suspended_portal_answers_503_branded_and_json_for_the_api(
    alpha, operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tenant_set_status(
            actor=operator,
            tenant=alpha.tenant,
            status="suspended",
            reason="Unpaid platform invoice",
        )

    page = alpha.client().get("/login/")
    assert page.status_code == 503
    assert "This portal is unavailable at the moment" in page.content.decode()
    assert "Alpha Supplies" in page.content.decode()
    api = alpha.client().get("/api/v1/me")
    assert api.status_code == 503
    assert api.json() == {
        "code": "portal_unavailable",
        "message": "The Alpha Supplies portal is unavailable at the moment.",
    }

    with django_capture_on_commit_callbacks(execute=True):
        tenant_set_status(actor=operator, tenant=alpha.tenant, status="active", reason="Paid")
    assert alpha.client().get("/login/").status_code == 200


def test_archived_portal_is_gone_from_routing(beta, operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tenant_set_status(actor=operator, tenant=beta.tenant, status="archived", reason="Left")
    assert beta.client().get("/login/").status_code == 404


def test_route_cache_is_invalidated_across_processes_by_the_generation(alpha, operator):
    """Another process's change reaches us through the Redis generation counter."""
    assert routing.resolve(alpha.host).status == "trial"
    from tenants.models import Tenant

    Tenant.objects.filter(pk=alpha.tenant.pk).update(status="suspended")
    assert routing.resolve(alpha.host).status == "trial"  # cached
    routing._cache.bump()  # what the other process's on_commit does
    routing._cache._checked_at = 0
    assert routing.resolve(alpha.host).status == "suspended"


@pytest.mark.parametrize("path", ["/backoffice/", "/backoffice/theme/", "/backoffice/api-keys/"])
def test_back_office_pages_require_sign_in(alpha, path):
    response = alpha.client().get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"


def test_cache_keys_carry_the_schema(alpha, beta):
    from django.core.cache import cache

    with schema_context(alpha.schema):
        cache.set("greeting", "alpha only", 30)
    with schema_context(beta.schema):
        assert cache.get("greeting") is None
        cache.set("greeting", "beta only", 30)
    with schema_context(alpha.schema):
        assert cache.get("greeting") == "alpha only"
        cache.delete("greeting")
    with schema_context(beta.schema):
        assert cache.get("greeting") == "beta only"
        cache.delete("greeting")


def test_files_are_stored_under_the_tenant_prefix(alpha, beta, tmp_path, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    with schema_context(alpha.schema):
        name = default_storage.save("docs/terms.txt", ContentFile(b"alpha terms"))
        assert name == "tenants/t_alpha/docs/terms.txt"
    with schema_context(beta.schema), pytest.raises(PermissionError):
        default_storage.open(name)
    assert (tmp_path / "tenants" / "t_alpha" / "docs" / "terms.txt").read_bytes() == b"alpha terms"
