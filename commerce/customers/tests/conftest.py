"""Fixtures of the customers suites: companies in alpha with their people, signed-in clients."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from commerce.customers.choices import MemberRole
from conftest import TEST_PASSWORD
from tests.factories import CompanyFactory, MembershipFactory, UserFactory

PORTAL = "http://alpha.portico.localhost:8000"


def login(client: Client, email: str) -> Client:
    response = client.post("/login/", {"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]
    return client


@dataclass
class Team:
    company: Any
    admin: Any  # Membership (company_admin)
    buyer: Any  # Membership (buyer)
    viewer: Any  # Membership (viewer)


def make_team(name: str, prefix: str) -> Team:
    company = CompanyFactory(name=name)
    return Team(
        company=company,
        admin=MembershipFactory(
            company=company,
            role=MemberRole.COMPANY_ADMIN,
            user=UserFactory(email=f"{prefix}-admin@buyer.test", full_name=f"{name} Admin"),
        ),
        buyer=MembershipFactory(
            company=company, user=UserFactory(email=f"{prefix}-buyer@buyer.test")
        ),
        viewer=MembershipFactory(
            company=company,
            role=MemberRole.VIEWER,
            user=UserFactory(email=f"{prefix}-viewer@buyer.test"),
        ),
    )


@pytest.fixture
def x(alpha) -> Team:
    with schema_context(alpha.schema):
        return make_team("Xylo GmbH", "x")


@pytest.fixture
def y(alpha) -> Team:
    with schema_context(alpha.schema):
        return make_team("Yarrow BV", "y")


@pytest.fixture
def staff(alpha):
    """Staff users of alpha by role (the administrator comes from the session tenant)."""
    with schema_context(alpha.schema):
        return {
            "administrator": alpha.admin,
            **{
                role: UserFactory(
                    email=f"{role}@alpha.test", kind="staff", staff_role=role, full_name=role
                )
                for role in ("account_manager", "validator", "dispatcher", "finance")
            },
        }


@pytest.fixture
def admin_client(alpha) -> Client:
    return login(alpha.client(), "admin@alpha.test")
