"""Who may do what with carts, lists and orders (pages and API alike).

Buyer side: buyers, approvers and company admins order; viewers and finance members only look.
Approvers and company admins decide orders awaiting approval, never their own, and approvers
only up to their amount limit. Supplier side: every staff role sees orders; validators check and
confirm, dispatchers ship and deliver, finance records payments; administrators do all of it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from commerce.customers.choices import MemberRole
from commerce.customers.models import Membership
from commerce.customers.policies import can_order, is_staff, require_membership
from commerce.ordering.models import Order
from core.errors import PermissionDenied
from sso.choices import StaffRole

DECIDING_ROLES = {MemberRole.APPROVER, MemberRole.COMPANY_ADMIN}
VALIDATORS = {StaffRole.ADMINISTRATOR, StaffRole.VALIDATOR}
DISPATCHERS = {StaffRole.ADMINISTRATOR, StaffRole.DISPATCHER}
FINANCE = {StaffRole.ADMINISTRATOR, StaffRole.FINANCE}


def require_orderer(actor: Any) -> Membership:
    """The membership of a buyer who may order; viewers and finance members are refused."""
    membership = require_membership(actor)
    if not can_order(membership):
        raise PermissionDenied(
            f"Your role ({membership.get_role_display().lower()}) lets you look at the "
            "catalogue and orders, but not order: ask your company admin."
        )
    return membership


def can_decide(membership: Membership, order: Order) -> bool:
    """May this member approve or reject ``order`` (before looking at its state)?"""
    return (
        membership.role in DECIDING_ROLES
        and membership.company_id == order.company_id
        and order.placed_by_id != membership.user_id
        and within_limit(membership, order.total)
    )


def within_limit(membership: Membership, amount: Decimal) -> bool:
    if membership.role == MemberRole.COMPANY_ADMIN:
        return True
    return membership.approval_limit is None or amount <= membership.approval_limit


def _people(role: str) -> str:
    """The people in a staff role, in a sentence: "validators", "finance staff"."""
    if role == StaffRole.FINANCE:
        return "finance staff"
    return StaffRole(role).label.lower() + "s"


def _require_staff_role(actor: Any, roles: set[StaffRole], what: str) -> None:
    if not (is_staff(actor) and actor.staff_role in roles):
        names = " and ".join(sorted(_people(r) for r in roles))
        raise PermissionDenied(f"Only {names} can {what}.")


def require_validator(actor: Any) -> None:
    _require_staff_role(actor, VALIDATORS, "validate, reject or confirm orders")


def require_dispatcher(actor: Any) -> None:
    _require_staff_role(actor, DISPATCHERS, "ship orders or mark them delivered")


def require_finance(actor: Any) -> None:
    _require_staff_role(actor, FINANCE, "record payments")


def staff_can(actor: Any, roles: set[StaffRole]) -> bool:
    return bool(is_staff(actor) and actor.staff_role in roles)
