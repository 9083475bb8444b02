"""Fixtures of the back-office catalogue tests (helpers live in support_backoffice.py)."""

from __future__ import annotations

import pytest

from commerce.catalog.tests.support_backoffice import client_for, staff


@pytest.fixture
def admin(alpha):
    return alpha.admin


@pytest.fixture
def admin_client(alpha):
    return client_for(alpha, alpha.admin)


@pytest.fixture
def validator(alpha):
    return staff(alpha, "validator", "validator@alpha.test")


@pytest.fixture
def validator_client(alpha, validator):
    return client_for(alpha, validator)
