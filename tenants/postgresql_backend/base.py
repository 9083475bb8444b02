"""django-tenants' backend, without needless ``SET search_path``.

Stock ``set_tenant`` forgets the search path on every call, so each request pays a ``SET`` even
when the connection already points at that schema. Here the remembered path survives a
``set_tenant`` to the same schema; anything that can change it (a new connection, a rollback, a
different schema) still clears it, and django-tenants re-issues the ``SET``.
"""

from __future__ import annotations

from typing import Any

from django_tenants.postgresql_backend import base as tenants_base
from django_tenants.postgresql_backend.base import DatabaseWrapper as TenantsDatabaseWrapper
from django_tenants.postgresql_backend.base import FakeTenant  # noqa: F401  (re-exported)

DatabaseFeatures = tenants_base.original_backend.DatabaseFeatures
DatabaseOperations = tenants_base.original_backend.DatabaseOperations
DatabaseClient = tenants_base.original_backend.DatabaseClient
DatabaseCreation = tenants_base.original_backend.DatabaseCreation


class DatabaseWrapper(TenantsDatabaseWrapper):
    def set_tenant(self, tenant: Any, include_public: bool = True) -> None:
        remembered: list[str] | None = getattr(self, "search_path_set_schemas", None)
        same_path = (
            remembered is not None
            and self.schema_name == tenant.schema_name
            and self.include_public_schema == include_public
        )
        super().set_tenant(tenant, include_public)
        if same_path:
            self.search_path_set_schemas = remembered
