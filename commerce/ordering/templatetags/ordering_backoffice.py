"""Template helpers of the back-office order pages: the nav badge and money."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from commerce.ordering.cache import ALL, cached_orders
from commerce.ordering.selectors.backoffice import waiting_for_validation
from core.money import format_money, format_unit_price

register = template.Library()


@register.simple_tag
def orders_waiting() -> int:
    """Orders received and waiting for a validator: one COUNT query, kept in the orders cache
    (any move of any order refreshes it)."""
    return cached_orders(ALL, "nav-waiting", waiting_for_validation)


@register.filter
def money(amount: Any, currency: str) -> str:
    """``EUR 1,234.50``; an empty value stays empty."""
    if amount is None or amount == "":
        return ""
    return format_money(Decimal(str(amount)), currency)


@register.filter
def unit_money(amount: Any, currency: str) -> str:
    """A unit price with its fractions of a cent (``EUR 0.8144``), as buyers see it."""
    if amount is None or amount == "":
        return ""
    return format_unit_price(Decimal(str(amount)), currency)
