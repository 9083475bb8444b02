"""The operators' console on the control-plane host."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from conftest import TEST_PASSWORD
from tenants.models import Tenant
from tenants.services import SignupRequest, tenant_provision


@pytest.fixture
def console(control_client, tenants):
    response = control_client.post(
        "/login/", {"email": "ops@portico.test", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/console/"
    return control_client


def test_console_lists_every_tenant_with_counts(console, alpha, beta):
    page = console.get("/console/")
    assert page.status_code == 200
    rows = {row["tenant"].slug: row for row in page.context["rows"]}
    assert set(rows) == {"alpha", "beta"}  # never the control plane or the template
    assert rows["alpha"]["counts"] == {"users": 1, "products": 0, "orders": 0}
    body = page.content.decode()
    assert "alpha.portico.localhost" in body and "Trial" in body and "Starter" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("alph", {"alpha"}),
        ("beta.portico", {"beta"}),
        ("admin@beta.test", {"beta"}),
        ("zzz", set()),
    ],
)
def test_console_search(console, query, expected):
    page = console.get("/console/", {"q": query})
    assert {row["tenant"].slug for row in page.context["rows"]} == expected


def test_console_filters_by_status(console, alpha, operator, django_capture_on_commit_callbacks):
    from tenants.services import tenant_set_status

    tenant_set_status(actor=operator, tenant=alpha.tenant, status="suspended", reason="Audit")
    page = console.get("/console/", {"status": "suspended"})
    assert [row["tenant"].slug for row in page.context["rows"]] == ["alpha"]


def test_console_list_query_count_does_not_grow_with_tenants(console, tenants):
    with CaptureQueriesContext(connection) as before:
        console.get("/console/")
    for slug in ("extra-one", "extra-two", "extra-three"):
        tenant_provision(
            actor=None,
            request=SignupRequest(
                slug.title(), slug, "X Y", f"x@{slug}.test", "Sturdy-Bolt-Washer-7"
            ),
        )
    connection.set_schema_to_public()
    with CaptureQueriesContext(connection) as after:
        page = console.get("/console/")
    assert len(page.context["rows"]) == 5
    assert len(after.captured_queries) == len(before.captured_queries)


def test_suspend_needs_a_reason_then_takes_the_portal_offline(
    console, alpha, django_capture_on_commit_callbacks
):
    url = f"/console/tenants/{alpha.tenant.public_id}/"
    refused = console.post(url, {"status": "suspended", "reason": " "})
    assert refused.status_code == 400
    assert refused.context["form"].errors["reason"] == [
        "Say why, in a sentence: the reason is kept in the audit log."
    ]
    alpha.tenant.refresh_from_db()
    assert alpha.tenant.status == "trial"

    with django_capture_on_commit_callbacks(execute=True):
        done = console.post(url, {"status": "suspended", "reason": "Chargeback on the plan"})
    assert done.status_code == 302
    alpha.tenant.refresh_from_db()
    assert (alpha.tenant.status, alpha.tenant.status_reason) == (
        "suspended",
        "Chargeback on the plan",
    )
    entry = AuditEntry.objects.filter(action="tenant.suspended").latest("id")
    assert (entry.actor_label, entry.changes, entry.details) == (
        "ops@portico.test",
        {"status": ["trial", "suspended"]},
        {"reason": "Chargeback on the plan"},
    )
    assert alpha.client().get("/login/").status_code == 503

    with django_capture_on_commit_callbacks(execute=True):
        console.post(url, {"status": "active", "reason": "Resolved"})
    assert alpha.client().get("/login/").status_code == 200
    with schema_context("public"):
        entry = AuditEntry.objects.filter(action="tenant.reactivated").latest("id")
    assert entry.details == {"reason": "Resolved"}


def test_archived_is_final(console, beta, django_capture_on_commit_callbacks):
    url = f"/console/tenants/{beta.tenant.public_id}/"
    with django_capture_on_commit_callbacks(execute=True):
        console.post(url, {"status": "archived", "reason": "Contract ended"})
    again = console.post(url, {"status": "active", "reason": "Oops"})
    assert again.status_code == 400
    assert "An archived portal cannot become active." in again.content.decode()
    assert Tenant.objects.get(pk=beta.tenant.pk).status == "archived"


def test_console_is_for_operators_only(control_client, alpha):
    assert control_client.get("/console/")["Location"] == "/login/?next=/console/"
    # A supplier admin's credentials do not exist on the control plane.
    bad = control_client.post("/login/", {"email": "admin@alpha.test", "password": TEST_PASSWORD})
    assert bad.status_code == 400
    assert control_client.get(f"/console/tenants/{alpha.tenant.public_id}/").status_code == 302


def test_unknown_tenant_id_is_404(console):
    assert console.get("/console/tenants/not-a-uuid/").status_code == 404
    assert console.get("/console/tenants/00000000-0000-0000-0000-000000000000/").status_code == 404
