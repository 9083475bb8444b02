"""Who may do what in identity and back-office matters; used by pages and API alike."""

from __future__ import annotations

from typing import Any

from core.errors import PermissionDenied


def require_supplier_admin(actor: Any) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.is_supplier_admin):
        raise PermissionDenied("Only the portal's administrators can do this.")


def require_operator(actor: Any) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.is_operator):
        raise PermissionDenied("Only platform operators can do this.")


def is_supplier_staff(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.kind == "staff")
