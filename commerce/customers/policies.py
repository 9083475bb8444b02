"""Who may do what with companies, members and the buyer portal (pages and API alike).

Supplier side: every staff role may look at companies; administrators and account managers
change them. Buyer side: members act only inside their own company; company admins manage their
own team; viewers change nothing.
"""

from __future__ import annotations

from typing import Any

from commerce.customers.choices import ORDERING_ROLES, MemberRole
from commerce.customers.models import Membership
from core.errors import NotFound, PermissionDenied
from sso.choices import StaffRole, UserKind

CUSTOMER_EDITORS = {StaffRole.ADMINISTRATOR, StaffRole.ACCOUNT_MANAGER}


def is_staff(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and actor.kind == UserKind.STAFF)


def require_staff(actor: Any) -> None:
    if not is_staff(actor):
        raise PermissionDenied("Only the supplier's staff can do this.")


def require_customer_editor(actor: Any) -> None:
    if not (is_staff(actor) and actor.staff_role in CUSTOMER_EDITORS):
        raise PermissionDenied("Only administrators and account managers can change customers.")


def buyer_membership(actor: Any) -> Membership | None:
    """The active buyer's membership, or None for anyone else (staff, anonymous, inactive)."""
    if not (getattr(actor, "is_authenticated", False) and actor.kind == UserKind.BUYER):
        return None
    try:
        membership: Membership = actor.membership
    except Membership.DoesNotExist:
        return None
    return membership


def require_membership(actor: Any) -> Membership:
    """The buyer's membership; anyone else gets "not found" (never a hint of what exists)."""
    membership = buyer_membership(actor)
    if membership is None:
        raise NotFound()
    return membership


def require_company_admin(actor: Any) -> Membership:
    membership = require_membership(actor)
    if membership.role != MemberRole.COMPANY_ADMIN:
        raise PermissionDenied("Only your company's administrators can manage the team.")
    return membership


def can_order(membership: Membership) -> bool:
    return membership.role in ORDERING_ROLES


def require_company_manager(actor: Any, company_id: int) -> None:
    """Changes to a company's addresses, cost centres and team: the supplier's customer editors,
    or an administrator of that very company. A buyer of another company gets "not found"."""
    if is_staff(actor):
        require_customer_editor(actor)
        return
    membership = require_membership(actor)
    if membership.company_id != company_id:
        raise NotFound()
    if membership.role != MemberRole.COMPANY_ADMIN:
        raise PermissionDenied("Only your company's administrators can change this.")


def can_manage_company(actor: Any, company_id: int) -> bool:
    try:
        require_company_manager(actor, company_id)
    except (NotFound, PermissionDenied):
        return False
    return True


def can_edit_customers(actor: Any) -> bool:
    return bool(is_staff(actor) and actor.staff_role in CUSTOMER_EDITORS)
