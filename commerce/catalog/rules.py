"""What a valid product, stock level or price break is, and how typed values are read from the
text people type (forms) or export (CSV). One set of rules and messages for both.

Messages start lower-case and name the field in plain words ("pack size must be a whole number,
got 2.5"): the CSV report prefixes them with the row, forms show them capitalised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from commerce.catalog.errors import CatalogError
from commerce.catalog.models import Category
from core.money import MoneyError, parse_amount

SKU_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/\-]*$")
MAX_LEAD_TIME_DAYS = 365
MAX_PRICE = Decimal("9999999999.9999")  # max_digits=14, decimal_places=4
MAX_QUANTITY = 2_147_483_647
TRUE_WORDS = {"yes", "y", "true", "1", "active"}
FALSE_WORDS = {"no", "n", "false", "0", "inactive"}

LABELS = {
    "sku": "SKU",
    "name": "name",
    "description": "description",
    "category": "category",
    "unit": "unit",
    "pack_size": "pack size",
    "pallet_quantity": "pallet quantity",
    "min_order_qty": "minimum order quantity",
    "order_multiple": "order multiple",
    "lead_time_days": "lead time",
    "list_price": "list price",
    "attributes": "attributes",
    "active": "active",
    "external_ref": "external reference",
    "on_hand": "on-hand quantity",
    "min_quantity": "minimum quantity",
    "unit_price": "unit price",
}


def problem(name: str, code: str, message: str) -> CatalogError:
    return CatalogError(code, message, field=name)


# --- reading text ---------------------------------------------------------------------------


def parse_whole(name: str, raw: str, *, minimum: int, maximum: int = MAX_QUANTITY) -> int:
    """A whole number from text ("12", " 12 ", "12.0" is refused: it is not what people mean)."""
    text = raw.strip()
    label = LABELS[name]
    if not re.fullmatch(r"[+-]?\d+", text):
        raise problem(name, "not_whole", f"{label} must be a whole number, got {raw.strip()}")
    value = int(text)
    if value < minimum:
        raise problem(name, "too_small", f"{label} must be at least {minimum}, got {value}")
    if value > maximum:
        raise problem(name, "too_large", f"{label} must be at most {maximum}, got {value}")
    return value


def parse_price(name: str, raw: str) -> Decimal:
    """A non-negative Decimal with at most 4 decimal places (``core.money.parse_amount``)."""
    label = LABELS[name]
    try:
        value = parse_amount(raw)
    except MoneyError:
        raise problem(
            name, "bad_decimal", f"{label} must be an amount like 12.50, got {raw.strip()}"
        ) from None
    check_price(name, value)
    return value


def check_price(name: str, value: Decimal) -> None:
    label = LABELS[name]
    if value < 0:
        raise problem(name, "negative", f"{label} must not be negative, got {value}")
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        raise problem(name, "too_precise", f"{label} has more than 4 decimal places, got {value}")
    if value > MAX_PRICE:
        raise problem(name, "too_large", f"{label} must be at most {MAX_PRICE}, got {value}")


def parse_flag(name: str, raw: str) -> bool:
    text = raw.strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise problem(name, "not_flag", f"{LABELS[name]} must be yes or no, got {raw.strip()}")


def parse_attributes(raw: str) -> dict[str, str]:
    """``key: value`` pairs, one per line or separated by ``;`` (the CSV form)."""
    attributes: dict[str, str] = {}
    for part in re.split(r"[;\n]", raw):
        if not part.strip():
            continue
        key, sep, value = part.partition(":")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise problem(
                "attributes",
                "bad_attribute",
                f"attributes must be written as name: value, got {part.strip()}",
            )
        if key.casefold() in {k.casefold() for k in attributes}:
            raise problem("attributes", "duplicate_attribute", f"attribute {key} appears twice")
        attributes[key] = value
    return attributes


def format_attributes(attributes: Mapping[str, Any], separator: str = "; ") -> str:
    return separator.join(f"{key}: {value}" for key, value in attributes.items())


def format_flag(value: bool) -> str:
    return "yes" if value else "no"


def format_price(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text if "." in text else f"{text}.00"


# --- products --------------------------------------------------------------------------------


@dataclass
class ProductInput:
    """Everything a supplier sets on a product (typed; see ``product_problems`` for the rules)."""

    sku: str
    name: str
    description: str = ""
    category: Category | None = None
    unit: str = "pcs"
    pack_size: int = 1
    pallet_quantity: int | None = None
    min_order_qty: int = 1
    order_multiple: int = 1
    lead_time_days: int = 0
    list_price: Decimal | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    active: bool = True
    external_ref: str = ""


def _text_problems(data: ProductInput) -> list[CatalogError]:
    found = []
    if not data.sku:
        found.append(problem("sku", "required", "SKU is required"))
    elif len(data.sku) > 64:
        found.append(problem("sku", "too_long", "SKU must be at most 64 characters"))
    elif not SKU_RE.match(data.sku):
        found.append(
            problem(
                "sku",
                "bad_sku",
                f"SKU {data.sku} may only contain letters, digits and . _ / - "
                "(no spaces), starting with a letter or digit",
            )
        )
    if not data.name:
        found.append(problem("name", "required", "name is required"))
    elif len(data.name) > 200:
        found.append(problem("name", "too_long", "name must be at most 200 characters"))
    if not data.unit:
        found.append(problem("unit", "required", "unit is required (for example pcs, box, kg)"))
    elif len(data.unit) > 16:
        found.append(problem("unit", "too_long", "unit must be at most 16 characters"))
    if len(data.external_ref) > 64:
        found.append(
            problem("external_ref", "too_long", "external reference must be at most 64 characters")
        )
    return found


def _quantity_problems(data: ProductInput) -> list[CatalogError]:
    found = []
    for name in ("pack_size", "min_order_qty", "order_multiple", "pallet_quantity"):
        value = getattr(data, name)
        if value is not None and value < 1:
            found.append(
                problem(name, "too_small", f"{LABELS[name]} must be at least 1, got {value}")
            )
    if not 0 <= data.lead_time_days <= MAX_LEAD_TIME_DAYS:
        found.append(
            problem(
                "lead_time_days",
                "bad_lead_time",
                f"lead time must be between 0 and {MAX_LEAD_TIME_DAYS} days, "
                f"got {data.lead_time_days}",
            )
        )
    moq, step = data.min_order_qty, data.order_multiple
    if moq >= 1 and step >= 1 and moq % step:
        lower = max(step, moq - moq % step)
        upper = moq - moq % step + step
        options = f"{lower} or {upper}" if lower != upper else f"{upper}"
        found.append(
            problem(
                "min_order_qty",
                "moq_not_multiple",
                f"minimum order quantity {moq} must be a multiple of the order multiple "
                f"{step} (for example {options})",
            )
        )
    return found


def product_problems(data: ProductInput) -> list[CatalogError]:
    """Every rule a product breaks (empty when it is valid). Uniqueness is checked by callers,
    which know whether the SKU is being created or kept."""
    found = _text_problems(data) + _quantity_problems(data)
    if data.list_price is not None:
        try:
            check_price("list_price", data.list_price)
        except CatalogError as exc:
            found.append(exc)
    for key, value in data.attributes.items():
        if not str(key).strip():
            found.append(
                problem("attributes", "bad_attribute", "attribute names must not be empty")
            )
        if any(ch in f"{key}{value}" for ch in ";\n") or ":" in str(key):
            found.append(
                problem(
                    "attributes",
                    "bad_attribute",
                    f"attribute {key} must not contain ; or line breaks (and its name no :)",
                )
            )
    return found
