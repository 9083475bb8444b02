"""Who may change prices: administrators and account managers (DESIGN.md §7)."""

from __future__ import annotations

from typing import Any

from commerce.customers.policies import CUSTOMER_EDITORS, is_staff
from core.errors import PermissionDenied


def require_pricing_editor(actor: Any) -> None:
    if not (is_staff(actor) and actor.staff_role in CUSTOMER_EDITORS):
        raise PermissionDenied("Only administrators and account managers can change prices.")


def require_pricing_reader(actor: Any) -> None:
    if not is_staff(actor):
        raise PermissionDenied("Only the supplier's staff can see price lists.")
