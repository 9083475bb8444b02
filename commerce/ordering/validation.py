"""Order validation in four layers (DESIGN.md §5): integrity, business rules, finance, logistics.

``validate`` is pure: it gets everything it judges (lines with their quotes and free stock, the
company, the checkout choices, the open order value, today) and returns every problem it finds,
each with its layer, a stable code, a message with the numbers in it, the line (SKU) or field,
a suggestion and, where one click can fix it, the fix. The cart shows the problems next to its
lines; placing an order refuses while any problem is an error; the API returns them as a 422.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from commerce.catalog.models import Product
from commerce.customers.choices import CompanyStatus, PaymentTerms
from commerce.customers.models import Company, CostCentre, DeliveryAddress
from commerce.ordering.choices import ProblemLayer, Severity
from commerce.ordering.errors import Problem
from commerce.pricing.selectors import PriceQuote
from core.money import format_money, quantize

PO_MAX_LENGTH = 35
NOTE_MAX_LENGTH = 2000
PALLET_ROUNDING_SHARE = Decimal("0.5")  # offer the next full pallet from half a pallet over

INTEGRITY, BUSINESS, FINANCE, LOGISTICS = (
    ProblemLayer.INTEGRITY,
    ProblemLayer.BUSINESS,
    ProblemLayer.FINANCE,
    ProblemLayer.LOGISTICS,
)


@dataclass(frozen=True)
class DraftLine:
    """A line as it would be ordered now: the product, the quantity, today's quote for this
    company at that quantity, the free stock, and whether the company may order it at all."""

    product: Product
    quantity: int
    quote: PriceQuote
    available: int
    visible: bool = True


@dataclass(frozen=True)
class CheckoutChoices:
    """What the buyer chose at checkout (already resolved to the company's own rows)."""

    delivery_address: DeliveryAddress | None
    po_number: str = ""
    cost_centre: CostCentre | None = None
    requested_delivery_date: date | None = None
    note: str = ""


def _date(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _units(quantity: int, product: Product) -> str:
    return f"{quantity} {product.unit}"


def validate(
    *,
    company: Company,
    lines: list[DraftLine],
    today: date,
    open_value: Decimal,
    currency: str,
    checkout: CheckoutChoices | None = None,
) -> list[Problem]:
    """Every problem of these lines (and, when given, these checkout choices), layer by layer."""
    problems: list[Problem] = []
    problems += _integrity(company, lines, today, checkout)
    for line in lines:
        problems += _business(line, checkout)
    problems += _finance(company, lines, open_value, currency)
    for line in lines:
        if line.product.active and line.visible and line.quote.orderable:
            problems += _logistics(line, today, checkout)
    return problems


def order_total(lines: list[DraftLine], currency: str) -> Decimal:
    return quantize(
        sum((line.quote.line_total or Decimal(0) for line in lines), Decimal(0)), currency
    )


# --- 1. integrity ---------------------------------------------------------------------------


def _integrity(
    company: Company, lines: list[DraftLine], today: date, checkout: CheckoutChoices | None
) -> list[Problem]:
    found: list[Problem] = []
    if not lines:
        found.append(
            Problem(
                INTEGRITY, "cart_empty", "Your cart is empty.", suggestion="Add products first."
            )
        )
    if checkout is None:
        return found
    if checkout.delivery_address is None:
        found.append(
            Problem(
                INTEGRITY,
                "address_missing",
                "Choose a delivery address.",
                field="delivery_address",
                suggestion="Pick one of your company's addresses; a company admin can add one.",
            )
        )
    po = checkout.po_number
    if company.po_required and not po:
        found.append(
            Problem(
                INTEGRITY,
                "po_required",
                f"{company.name} requires a PO number on every order.",
                field="po_number",
                suggestion="Enter the purchase order number from your system.",
            )
        )
    if len(po) > PO_MAX_LENGTH:
        found.append(
            Problem(
                INTEGRITY,
                "po_too_long",
                f"The PO number has {len(po)} characters; at most {PO_MAX_LENGTH} fit.",
                field="po_number",
                suggestion="Shorten it.",
            )
        )
    elif po and not po.isprintable():
        found.append(
            Problem(
                INTEGRITY,
                "po_invalid",
                "The PO number contains a line break or another invisible character.",
                field="po_number",
                suggestion="Type it on one line.",
            )
        )
    requested = checkout.requested_delivery_date
    if requested is not None and requested < today:
        found.append(
            Problem(
                INTEGRITY,
                "date_in_past",
                f"The requested delivery date {_date(requested)} is in the past.",
                field="requested_delivery_date",
                suggestion=f"Choose {_date(today)} or later, or leave it empty.",
            )
        )
    if len(checkout.note) > NOTE_MAX_LENGTH:
        found.append(
            Problem(
                INTEGRITY,
                "note_too_long",
                f"The note has {len(checkout.note)} characters; at most {NOTE_MAX_LENGTH} fit.",
                field="note",
                suggestion="Shorten it.",
            )
        )
    return found


# --- 2. business rules ----------------------------------------------------------------------


def _business(line: DraftLine, checkout: CheckoutChoices | None) -> list[Problem]:
    product, quantity, sku = line.product, line.quantity, line.product.sku
    if not (product.active and line.visible):
        return [
            Problem(
                BUSINESS,
                "not_orderable",
                f"{sku} is no longer available to your company.",
                line=sku,
                suggestion="Remove it from the cart.",
                fix={"remove": True},
            )
        ]
    if not line.quote.orderable:
        return [
            Problem(
                BUSINESS,
                "no_price",
                f"{sku} has no price for your company, so it cannot be ordered.",
                line=sku,
                suggestion="Remove it, or ask your account manager for a price.",
                fix={"remove": True},
            )
        ]
    found: list[Problem] = []
    wanted = valid_quantity(product, quantity)
    if quantity < product.min_order_qty:
        found.append(
            Problem(
                BUSINESS,
                "below_minimum",
                f"{sku}: the minimum order is {_units(product.min_order_qty, product)}; "
                f"this line has {quantity}.",
                line=sku,
                suggestion=f"Order {wanted}.",
                fix={"set_quantity": wanted},
            )
        )
    elif quantity % product.order_multiple:
        lower = quantity - quantity % product.order_multiple
        options = f"{lower} or {wanted}" if lower >= product.min_order_qty else f"{wanted}"
        found.append(
            Problem(
                BUSINESS,
                "not_a_multiple",
                f"{sku} is sold in multiples of {product.order_multiple}; {quantity} is not one.",
                line=sku,
                suggestion=f"Order {options}.",
                fix={"set_quantity": wanted},
            )
        )
    if line.available < quantity:
        found.append(_availability(line))
    quote = line.quote
    requested = checkout.requested_delivery_date if checkout else None
    if quote.source == "contract" and quote.valid_to and requested and requested > quote.valid_to:
        found.append(
            Problem(
                BUSINESS,
                "contract_ends",
                f"{sku}: your contract price ends on {_date(quote.valid_to)}, before the "
                f"requested delivery on {_date(requested)}.",
                severity=Severity.WARNING,
                line=sku,
                suggestion="The contract price applies to this order as placed today.",
            )
        )
    return found


def valid_quantity(product: Product, quantity: int) -> int:
    """The smallest quantity ≥ ``quantity`` that meets the minimum and the multiple."""
    wanted = max(quantity, product.min_order_qty)
    step = product.order_multiple
    return -(-wanted // step) * step


def _orderable_at_most(product: Product, available: int) -> int:
    """The largest quantity ≤ ``available`` that meets the minimum and the multiple (0: none)."""
    step = product.order_multiple
    most = max(available, 0) // step * step
    return most if most >= product.min_order_qty else 0


def _availability(line: DraftLine) -> Problem:
    product, sku = line.product, line.product.sku
    in_stock = _orderable_at_most(product, line.available)
    short = line.quantity - max(line.available, 0)
    lead = product.lead_time_days
    if lead:
        days = "1 day" if lead == 1 else f"{lead} days"
        message = (
            f"{sku}: {max(line.available, 0)} in stock; the other {short} ship in {days}."
            if line.available > 0
            else f"{sku} is not in stock; it ships in {days}."
        )
        return Problem(
            BUSINESS,
            "partly_in_stock" if line.available > 0 else "ships_later",
            message,
            severity=Severity.WARNING,
            line=sku,
            suggestion="Order anyway, or reduce the quantity to what is in stock.",
        )
    return Problem(
        BUSINESS,
        "out_of_stock",
        f"{sku}: only {max(line.available, 0)} in stock; you asked for {line.quantity}.",
        severity=Severity.WARNING,
        line=sku,
        suggestion="The supplier will confirm when the rest can ship.",
        fix={"set_quantity": in_stock} if in_stock else {},
    )


# --- 3. finance -----------------------------------------------------------------------------


def _finance(
    company: Company, lines: list[DraftLine], open_value: Decimal, currency: str
) -> list[Problem]:
    found: list[Problem] = []
    if company.status == CompanyStatus.ON_HOLD:
        reason = f": {company.hold_reason}" if company.hold_reason else ""
        found.append(
            Problem(
                FINANCE,
                "account_on_hold",
                f"Your company's account is on hold{reason}.",
                suggestion="Contact your account manager; orders can be placed again once the "
                "hold is released.",
            )
        )
    if company.payment_terms == PaymentTerms.NET and lines:
        total = order_total(lines, currency)
        available = company.credit_limit - open_value
        if total > available:
            found.append(
                Problem(
                    FINANCE,
                    "credit_limit",
                    f"This order ({format_money(total, currency)}) is more than your available "
                    f"credit of {format_money(max(available, Decimal(0)), currency)} "
                    f"(limit {format_money(company.credit_limit, currency)}, open orders "
                    f"{format_money(open_value, currency)}).",
                    suggestion="Order less, or ask your account manager to raise the limit.",
                )
            )
    return found


# --- 4. logistics ---------------------------------------------------------------------------


def _logistics(line: DraftLine, today: date, checkout: CheckoutChoices | None) -> list[Problem]:
    product, quantity, sku = line.product, line.quantity, line.product.sku
    found: list[Problem] = []
    pallet = product.pallet_quantity
    if pallet and quantity % pallet:
        remainder = quantity % pallet
        rounded = quantity - remainder + pallet
        if remainder >= pallet * PALLET_ROUNDING_SHARE and rounded % product.order_multiple == 0:
            pallets = rounded // pallet
            found.append(
                Problem(
                    LOGISTICS,
                    "pallet_rounding",
                    f"{sku}: {quantity} {product.unit} nearly fills {pallets} "
                    f"pallet{'s' if pallets > 1 else ''} of {pallet}.",
                    severity=Severity.WARNING,
                    line=sku,
                    suggestion=f"Round up to {rounded} (full pallets ship sooner and cheaper).",
                    fix={"set_quantity": rounded},
                )
            )
    requested = checkout.requested_delivery_date if checkout else None
    if requested and product.lead_time_days and line.available < quantity:
        earliest = today + timedelta(days=product.lead_time_days)
        if requested < earliest:
            found.append(
                Problem(
                    LOGISTICS,
                    "lead_time",
                    f"{sku} ships in {product.lead_time_days} days: the earliest delivery is "
                    f"{_date(earliest)}, after the requested {_date(requested)}.",
                    line=sku,
                    field="requested_delivery_date",
                    suggestion=f"Choose {_date(earliest)} or later, or order only what is "
                    f"in stock ({max(line.available, 0)}).",
                )
            )
    return found
