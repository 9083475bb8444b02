"""Supplier sign-up on the control plane: the success path and every refusal."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from outbox.models import OutboxMessage
from sso.models import User
from tenants.models import Domain, Tenant

GOOD = {
    "company_name": "Gamma Fasteners",
    "subdomain": "gamma",
    "admin_name": "Grace Gamma",
    "admin_email": "grace@gamma.test",
    "admin_password": "Sturdy-Bolt-Washer-7",
    "plan": "starter",
}


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def test_signup_provisions_a_portal_and_hands_the_admin_over(control_client, tenants):
    response = control_client.post("/signup/", GOOD)

    assert response.status_code == 302
    prefix = "http://gamma.portico.localhost:8000/auth/handoff/"
    assert response["Location"].startswith(prefix)
    tenant = Tenant.objects.get(slug="gamma")
    assert (tenant.schema_name, tenant.status, tenant.plan, tenant.contact_email) == (
        "t_gamma",
        "trial",
        "starter",
        "grace@gamma.test",
    )
    assert list(Domain.objects.filter(tenant=tenant).values_list("domain", "is_primary")) == [
        ("gamma.portico.localhost", True)
    ]
    assert schema_exists("t_gamma")
    assert (
        AuditEntry.objects.filter(
            action="tenant.signed_up", object_id=str(tenant.public_id)
        ).count()
        == 1
    )
    with schema_context("t_gamma"):
        admin = User.objects.get()
        assert (admin.email, admin.kind, admin.staff_role) == (
            "grace@gamma.test",
            "staff",
            "administrator",
        )
        welcome = OutboxMessage.objects.get()
        assert (welcome.kind, welcome.payload["to"], welcome.status) == (
            "email",
            ["grace@gamma.test"],
            "pending",
        )
        assert welcome.payload["subject"] == "Welcome to your Gamma Fasteners portal"
        assert sorted(AuditEntry.objects.values_list("action", flat=True)) == [
            "tenant.provisioned",
            "user.created",
        ]

    # The hand-over link signs the admin in on the portal's own host, once.
    token_path = response["Location"].removeprefix("http://gamma.portico.localhost:8000")
    from django.test import Client

    portal = Client(HTTP_HOST="gamma.portico.localhost")
    landed = portal.get(token_path, follow=True)
    assert landed.redirect_chain[-1] == ("/backoffice/?welcome=1", 302)
    body = landed.content.decode()
    assert "Brand your portal" in body and "Add products" in body and "Invite customers" in body
    assert "0 of 3 done" in body
    replay = Client(HTTP_HOST="gamma.portico.localhost").get(token_path)
    assert replay.status_code == 400
    assert "expired or was already used" in replay.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("subdomain", "alpha", "“alpha” is already taken; please choose another."),
        ("subdomain", "www", "“www” is reserved by the platform; please choose another."),
        ("subdomain", "admin", "“admin” is reserved by the platform; please choose another."),
        (
            "subdomain",
            "Bad_Name!",
            "“bad_name!” cannot be a sub-domain: use lower-case letters, digits and hyphens, starting and ending with a letter or digit.",
        ),
        (
            "subdomain",
            "-edge",
            "“-edge” cannot be a sub-domain: use lower-case letters, digits and hyphens, starting and ending with a letter or digit.",
        ),
        ("subdomain", "ab", "“ab” is too short: use 3 to 40 characters."),
        ("subdomain", "", "Choose a sub-domain for your portal."),
        (
            "admin_password",
            "password",
            "This password is too short. It must contain at least 10 characters. This password is too common.",
        ),
        (
            "admin_password",
            "1234567890123",
            "This password is too common. This password is entirely numeric.",
        ),
        (
            "admin_email",
            "not-an-email",
            "“not-an-email” is not an e-mail address; it should look like name@company.com.",
        ),
        ("company_name", "  ", "Enter your company's name as buyers know it."),
    ],
)
def test_bad_signup_says_what_is_wrong_and_creates_nothing(
    control_client, tenants, field, value, message
):
    tenants_before = list(Tenant.objects.values_list("schema_name", flat=True))
    domains_before = Domain.objects.count()
    audit_before = AuditEntry.objects.count()

    response = control_client.post("/signup/", {**GOOD, field: value})

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[field] == [message]
    assert list(Tenant.objects.values_list("schema_name", flat=True)) == tenants_before
    assert Domain.objects.count() == domains_before
    assert AuditEntry.objects.count() == audit_before
    assert not schema_exists("t_gamma")


@pytest.mark.parametrize(
    ("value", "available", "text"),
    [
        ("gamma", "true", "gamma.portico.localhost is available."),
        ("beta", "false", "“beta” is already taken; please choose another."),
        ("api", "false", "“api” is reserved by the platform; please choose another."),
        ("no spaces", "false", "“no spaces” cannot be a sub-domain"),
    ],
)
def test_live_subdomain_check(control_client, tenants, value, available, text):
    response = control_client.get("/signup/check-subdomain", {"subdomain": value})

    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-available="{available}"' in body
    assert text in body


def test_a_failure_half_way_leaves_no_half_made_tenant(tenants, monkeypatch):
    """The admin user cannot be created (the e-mail is refused inside the new schema): the
    tenant row, its domain, its schema and the audit entry are all rolled back."""
    from core.errors import DomainError
    from tenants.services import SignupRequest, tenant_provision

    def explode(**kwargs):
        raise DomainError("boom", "user creation failed")

    monkeypatch.setattr("sso.services.user_create", explode)
    audit_before = AuditEntry.objects.count()

    with pytest.raises(DomainError):
        tenant_provision(actor=None, request=SignupRequest(**{k: v for k, v in GOOD.items()}))

    assert not Tenant.objects.filter(slug="gamma").exists()
    assert not Domain.objects.filter(domain="gamma.portico.localhost").exists()
    assert not schema_exists("t_gamma")
    assert AuditEntry.objects.count() == audit_before


def test_every_problem_of_a_signup_is_shown_at_once(control_client, tenants):
    response = control_client.post("/signup/", {**GOOD, "subdomain": "www", "admin_email": "x@"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["subdomain"] == ["“www” is reserved by the platform; please choose another."]
    assert errors["admin_email"] == [
        "“x@” is not an e-mail address; it should look like name@company.com."
    ]
