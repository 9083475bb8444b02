"""Template helpers of the buyer's ordering pages: the nav's cart and inbox counts, money."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import template

from commerce.customers.policies import buyer_membership, can_order
from commerce.ordering.policies import DECIDING_ROLES, require_orderer
from commerce.ordering.selectors.portal import nav_counts
from core.errors import NotFound, PermissionDenied
from core.money import format_money, format_unit_price

register = template.Library()


@dataclass(frozen=True)
class PortalNav:
    cart_lines: int
    unread: int
    can_order: bool
    decides: bool


@register.simple_tag(takes_context=True)
def portal_nav(context: Any) -> PortalNav | None:
    """The nav's counts for a signed-in buyer (one small query), None for anyone else."""
    request = context.get("request")
    membership = buyer_membership(getattr(request, "user", None))
    if membership is None:
        return None
    counts = nav_counts(membership)
    return PortalNav(
        cart_lines=counts.cart_lines,
        unread=counts.unread,
        can_order=can_order(membership),
        decides=membership.role in DECIDING_ROLES,
    )


@register.filter
def may_order(user: Any) -> bool:
    """Whether this user is a buyer whose role may order (no query: the membership comes
    with the session's user)."""
    membership = buyer_membership(user)
    return membership is not None and can_order(membership)


@register.filter
def why_not_order(user: Any) -> str:
    """The policy's own words for why this user may not order ("" when they may)."""
    try:
        require_orderer(user)
    except (PermissionDenied, NotFound) as exc:
        return exc.message
    return ""


@register.filter
def money(value: Decimal | None, currency: str) -> str:
    if value is None:
        return "—"
    return format_money(value, currency)


@register.filter
def unit_money(value: Decimal | None, currency: str) -> str:
    if value is None:
        return "—"
    return format_unit_price(value, currency)
