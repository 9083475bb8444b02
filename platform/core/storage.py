"""File storage under a per-tenant prefix, computed on every call (never cached)."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import FileSystemStorage

from core.tenancy import current_schema


def tenant_prefix() -> str:
    schema = current_schema()
    return f"tenants/{schema}" if schema != "public" else "platform"


class TenantFileSystemStorage(FileSystemStorage):
    """Stores ``name`` as ``tenants/<schema>/<name>``.

    Names handed back already carry the prefix, so reading a stored name never adds it twice;
    a name from another tenant's prefix is refused.
    """

    def _prefixed(self, name: str) -> str:
        prefix = tenant_prefix()
        if name.startswith(prefix + "/"):
            return name
        if name.startswith(("tenants/", "platform/")):
            raise PermissionError("This file belongs to another tenant.")
        return f"{prefix}/{name}"

    def _save(self, name: str, content: Any) -> str:
        return super()._save(self._prefixed(name), content)  # type: ignore[misc]

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return super().get_available_name(self._prefixed(name), max_length)

    def path(self, name: str) -> str:
        return super().path(self._prefixed(name))

    def url(self, name: str | None) -> str:
        return super().url(self._prefixed(name) if name else name)
