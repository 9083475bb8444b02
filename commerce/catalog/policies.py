"""Who may look at and change the supplier's catalogue (pages and API alike).

Every staff role may look at categories, products, warehouses, stock and imports; only
administrators and account managers change them.
"""

from __future__ import annotations

from typing import Any

from commerce.customers.policies import is_staff, require_staff
from core.errors import PermissionDenied
from sso.choices import StaffRole

CATALOGUE_EDITORS = {StaffRole.ADMINISTRATOR, StaffRole.ACCOUNT_MANAGER}

__all__ = ["can_edit_catalogue", "require_catalogue_editor", "require_catalogue_reader"]


def can_edit_catalogue(actor: Any) -> bool:
    return is_staff(actor) and actor.staff_role in CATALOGUE_EDITORS


def require_catalogue_reader(actor: Any) -> None:
    require_staff(actor)


def require_catalogue_editor(actor: Any) -> None:
    if not can_edit_catalogue(actor):
        raise PermissionDenied("Only administrators and account managers can change the catalogue.")
