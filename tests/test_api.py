"""API skeleton: /api/v1/me with session and API keys, scopes, revocation, OpenAPI."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from openapi_spec_validator import validate

from api.models import ApiKey
from api.services import api_key_create, api_key_revoke
from conftest import TEST_PASSWORD


def test_me_with_a_session(alpha):
    client = alpha.client()
    client.post("/login/", {"email": "admin@alpha.test", "password": TEST_PASSWORD})
    body = client.get("/api/v1/me").json()
    assert body == {
        "id": str(alpha.admin.public_id),
        "email": "admin@alpha.test",
        "full_name": "Alpha Supplies Admin",
        "kind": "staff",
        "staff_role": "administrator",
        "auth": "session",
        "portal": {"name": "Alpha Supplies", "domain": "alpha.portico.localhost"},
    }


def test_me_with_an_api_key_records_last_use(alpha):
    with schema_context(alpha.schema):
        key, raw = api_key_create(
            actor=alpha.admin, name="ERP sync", scopes=["read", "integration"]
        )
        assert key.last_used_at is None
        stored = ApiKey.objects.get(pk=key.pk)
        assert raw.split("_", 2)[2] not in stored.secret_hash and len(stored.secret_hash) == 64
    response = Client(HTTP_HOST=alpha.host).get("/api/v1/me", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code == 200
    assert response.json()["auth"] == "api_key"
    assert response.json()["api_key"] == {
        "name": "ERP sync",
        "prefix": key.prefix,
        "scopes": ["integration", "read"],
    }
    with schema_context(alpha.schema):
        key.refresh_from_db()
        assert key.last_used_at is not None


def test_a_key_without_the_scope_is_refused(alpha):
    with schema_context(alpha.schema):
        _, raw = api_key_create(actor=alpha.admin, name="Writer", scopes=["write"])
    response = Client(HTTP_HOST=alpha.host).get("/api/v1/me", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code == 403
    assert response.json()["message"] == "This API key lacks the scope this endpoint needs."


@pytest.mark.parametrize(
    "header",
    [
        "Api-Key ptk_000000000000_nope",
        "Api-Key garbage",
        "Api-Key ",
    ],
)
def test_unknown_keys_get_a_clear_401(alpha, header):
    response = Client(HTTP_HOST=alpha.host).get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_revoked_key_never_authenticates_again(alpha):
    with schema_context(alpha.schema):
        key, raw = api_key_create(actor=alpha.admin, name="Old", scopes=["read"])
        api_key_revoke(actor=alpha.admin, key=key)
    response = Client(HTTP_HOST=alpha.host).get("/api/v1/me", HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert response.status_code == 401


def test_admin_creates_and_revokes_keys_in_the_back_office(alpha):
    client = alpha.client()
    client.post("/login/", {"email": "admin@alpha.test", "password": TEST_PASSWORD})
    page = client.post("/backoffice/api-keys/", {"name": "Shop sync", "scopes": ["read"]})
    assert page.status_code == 200
    shown = page.context["new_key"]
    assert shown.startswith("ptk_")
    with schema_context(alpha.schema):
        key = ApiKey.objects.get(name="Shop sync")
    assert client.post(f"/backoffice/api-keys/{key.public_id}/revoke").status_code == 302
    with schema_context(alpha.schema):
        key.refresh_from_db()
        assert key.revoked_at is not None
    missing = client.post("/backoffice/api-keys/", {"name": "", "scopes": []})
    assert missing.status_code == 400
    assert missing.context["form"].errors["name"] == [
        "Name the key after the system that will use it."
    ]


def test_anonymous_gets_401_json(alpha):
    response = Client(HTTP_HOST=alpha.host).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "field": None,
    }


def test_openapi_schema_is_served_and_valid(alpha):
    response = Client(HTTP_HOST=alpha.host).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert "/api/v1/me" in schema["paths"]
    assert "ApiKey" in schema["components"]["securitySchemes"]


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_use_local_static_files_only(alpha, path):
    response = Client(HTTP_HOST=alpha.host).get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in body
    assert "cdn" not in body.lower() and 'src="https://' not in body and "src='https://" not in body


def test_healthz_checks_database_and_redis(alpha, control_client):
    for client in (alpha.client(), control_client):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_healthz_reports_redis_down(alpha, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = alpha.client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "error: ConnectionError"}
