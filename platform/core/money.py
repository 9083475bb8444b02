"""Money: ``Decimal`` amounts in a currency, rounded in exactly one place."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 minor units for the currencies a portal may choose.
MINOR_UNITS = {
    "EUR": 2,
    "USD": 2,
    "GBP": 2,
    "CHF": 2,
    "SEK": 2,
    "NOK": 2,
    "DKK": 2,
    "PLN": 2,
    "CZK": 2,
    "JPY": 0,
}
CURRENCY_CHOICES = [(code, code) for code in sorted(MINOR_UNITS)]
UNIT_PRICE_PLACES = 4  # unit prices may carry fractions of a cent (e.g. 0.0125 per screw)


class MoneyError(ValueError):
    """A value that is not an amount of money."""


def parse_amount(raw: object) -> Decimal:
    """A Decimal from user input ("12.50", "12,50", 12) — never from a float."""
    if isinstance(raw, float):
        raise MoneyError("amounts must not be floats")
    text = str(raw).strip().replace(" ", "")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise MoneyError(f"“{raw}” is not an amount; write it like 12.50") from exc
    if not value.is_finite():
        raise MoneyError(f"“{raw}” is not an amount; write it like 12.50")
    return value


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round a total to the currency's minor unit, half up (the one rounding rule)."""
    places = MINOR_UNITS.get(currency, 2)
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def quantize_unit_price(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-UNIT_PRICE_PLACES), rounding=ROUND_HALF_UP)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Integer minor units, for Stripe's edge only."""
    return int(quantize(amount, currency).scaleb(MINOR_UNITS.get(currency, 2)))


def format_money(amount: Decimal, currency: str) -> str:
    """``EUR 1,234.50`` — plain and unambiguous for B2B buyers."""
    value = quantize(amount, currency)
    return f"{currency} {value:,.{MINOR_UNITS.get(currency, 2)}f}"


def format_unit_price(amount: Decimal, currency: str) -> str:
    """A unit price as a buyer reads it: the currency's minor unit, or up to four decimals when
    the price really has fractions of a cent (``EUR 0.0125`` per screw)."""
    if quantize(amount, currency) == amount:
        return format_money(amount, currency)
    text = f"{amount:,.4f}".rstrip("0")
    return f"{currency} {text}"
