"""Typed access to the tenant-aware database connection (django-tenants adds attributes that
Django's own types do not know)."""

from __future__ import annotations

from typing import Any

from django.db import connection


def db() -> Any:
    """The default connection, as django-tenants' wrapper (``set_tenant``, ``schema_name``...)."""
    return connection


def current_schema() -> str:
    return str(db().schema_name)


def use_public_schema() -> None:
    db().set_schema_to_public()
