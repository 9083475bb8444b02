"""The buyer's cart: add, change, remove, clear; quick order (pasted lines or CSV); a saved list
or a past order into the cart.

Only buyers who may order (``require_orderer``) change a cart, and only with products their
company may see (anything else is "not found", like a product that does not exist). Quantities
are whole numbers from 1 to ``MAX_QUANTITY``; the cart keeps what the buyer asked for, and the
validation layers say what is wrong with it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models.functions import Upper

from commerce.catalog.models import Product
from commerce.catalog.selectors.portal import visible_products
from commerce.customers.models import Membership
from commerce.ordering.errors import OrderingError
from commerce.ordering.models import Cart, CartLine, Order, RequisitionList
from commerce.ordering.policies import require_orderer
from commerce.ordering.selectors import draft_lines
from commerce.selectors import portal_settings, portal_today
from core.errors import NotFound
from core.ids import parse_uuid
from core.money import format_unit_price

MAX_QUANTITY = 1_000_000
MAX_QUICK_LINES = 500


def parse_quantity(raw: Any) -> int:
    """A positive whole quantity, or an ``OrderingError`` that says what is wrong."""
    text = str(raw).strip()
    if not re.fullmatch(r"\d+", text):
        if re.fullmatch(r"\d+[.,]\d+", text):
            raise OrderingError(
                "quantity_not_whole", f"“{text}” is not a whole number: order whole units."
            )
        raise OrderingError("quantity_invalid", f"“{text}” is not a quantity: write e.g. 12.")
    value = int(text)
    if value < 1:
        raise OrderingError("quantity_too_small", "The quantity must be at least 1.")
    if value > MAX_QUANTITY:
        raise OrderingError(
            "quantity_too_large", f"{value} is more than {MAX_QUANTITY:,} units on one line."
        )
    return value


def _cart(membership: Membership, *, lock: bool = True) -> Cart:
    cart, _ = Cart.objects.get_or_create(
        user_id=membership.user_id, defaults={"company_id": membership.company_id}
    )
    if cart.company_id != membership.company_id:  # the member moved company: start afresh
        cart.lines.all().delete()
        cart.company_id = membership.company_id
        cart.save(update_fields=["company", "updated_at"])
    if lock:
        cart = Cart.objects.select_for_update().get(pk=cart.pk)
    return cart


def visible_product(membership: Membership, product_public_id: Any) -> Product:
    product = (
        visible_products(membership.company).filter(public_id=str(product_public_id)).first()
        if parse_uuid(product_public_id)
        else None
    )
    if product is None:
        raise NotFound("There is no such product.")
    return product


def _add(cart: Cart, product: Product, quantity: int) -> CartLine:
    line = CartLine.objects.filter(cart=cart, product=product).first()
    if line is None:
        return CartLine.objects.create(cart=cart, product=product, quantity=quantity)
    line.quantity = min(line.quantity + quantity, MAX_QUANTITY)
    line.save(update_fields=["quantity"])
    return line


def cart_add(*, actor: Any, product_id: Any, quantity: Any) -> CartLine:
    """Add ``quantity`` of a product (to what is already in the cart)."""
    membership = require_orderer(actor)
    amount = parse_quantity(quantity)
    with transaction.atomic():
        product = visible_product(membership, product_id)
        cart = _cart(membership)
        line = _add(cart, product, amount)
        cart.save(update_fields=["updated_at"])
    return line


def cart_set_quantity(*, actor: Any, product_id: Any, quantity: Any) -> CartLine | None:
    """Set a line's quantity; 0 removes the line."""
    membership = require_orderer(actor)
    text = str(quantity).strip()
    with transaction.atomic():
        cart = _cart(membership)
        line = (
            CartLine.objects.filter(cart=cart, product__public_id=str(product_id)).first()
            if parse_uuid(product_id)
            else None
        )
        if line is None:
            raise NotFound("That product is not in your cart.")
        if text == "0":
            line.delete()
            cart.save(update_fields=["updated_at"])
            return None
        line.quantity = parse_quantity(text)
        line.save(update_fields=["quantity"])
        cart.save(update_fields=["updated_at"])
    return line


def cart_remove(*, actor: Any, product_id: Any) -> None:
    cart_set_quantity(actor=actor, product_id=product_id, quantity="0")


def cart_clear(*, actor: Any) -> None:
    membership = require_orderer(actor)
    with transaction.atomic():
        cart = _cart(membership)
        cart.lines.all().delete()
        cart.save(update_fields=["updated_at"])


# --- quick order ----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuickLineProblem:
    line: int  # 1-based line (or CSV row) number
    text: str
    message: str


@dataclass
class QuickOrderResult:
    added: list[tuple[str, int]] = field(default_factory=list)  # (SKU, quantity)
    problems: list[QuickLineProblem] = field(default_factory=list)


_SPLIT = re.compile(r"[\s,;\t]+")


def parse_quick_text(text: str) -> list[tuple[int, str, str, str]]:
    """Pasted lines "SKU quantity" (space, tab, comma or semicolon between) as
    (line number, raw line, sku, quantity text); blank lines are skipped."""
    rows = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        parts = [p for p in _SPLIT.split(stripped) if p]
        sku = parts[0]
        qty = parts[1] if len(parts) > 1 else ""
        rows.append((number, stripped, sku, qty if len(parts) <= 2 else " ".join(parts[1:])))
    return rows


def parse_quick_csv(data: bytes) -> list[tuple[int, str, str, str]]:
    """A CSV with columns ``sku`` and ``quantity`` (header required; row numbers as a
    spreadsheet shows them, the header being row 1)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OrderingError(
            "csv_encoding", "The file is not UTF-8 text: save it as CSV UTF-8 and try again."
        ) from exc
    # The header names the columns, so its separator is the file's (``csv.Sniffer`` gives up,
    # and the file reads as one column, as soon as one row has a cell more than the others).
    header = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=max(",;\t", key=header.count))
    fields = {(name or "").strip().lower() for name in reader.fieldnames or []}
    if not {"sku", "quantity"} <= fields:
        raise OrderingError(
            "csv_columns",
            "The file needs a header row with the columns sku and quantity "
            f"(found: {', '.join(sorted(f for f in fields if f)) or 'none'}).",
        )
    rows = []
    for row in reader:
        # The row's own line in the file: ``DictReader`` skips blank lines, so counting rows
        # would drift after one. Cells beyond the header (key None, a list) are ignored.
        number = reader.reader.line_num
        clean = {k.strip().lower(): (v or "").strip() for k, v in row.items() if isinstance(k, str)}
        if not any(clean.values()):
            continue
        raw = f"{clean.get('sku', '')},{clean.get('quantity', '')}"
        rows.append((number, raw, clean.get("sku", ""), clean.get("quantity", "")))
    return rows


def quick_order_apply(*, actor: Any, rows: list[tuple[int, str, str, str]]) -> QuickOrderResult:
    """Put the good lines into the cart; return every bad line with what is wrong. Unknown SKUs
    and products the company may not order read alike ("no product with SKU …")."""
    membership = require_orderer(actor)
    if len(rows) > MAX_QUICK_LINES:
        raise OrderingError(
            "too_many_lines",
            f"{len(rows)} lines is more than {MAX_QUICK_LINES} at once: split the list.",
        )
    result = QuickOrderResult()
    skus = {sku.upper() for _, _, sku, _ in rows if sku}
    products = {
        p.sku.upper(): p
        for p in visible_products(membership.company)
        .annotate(sku_upper=Upper("sku"))
        .filter(sku_upper__in=skus)
    }
    with transaction.atomic():
        cart = _cart(membership)
        for number, raw, sku, qty in rows:
            product = products.get(sku.upper())
            if product is None:
                result.problems.append(
                    QuickLineProblem(number, raw, f"There is no product with SKU “{sku}”.")
                )
                continue
            try:
                amount = parse_quantity(qty) if qty else None
            except OrderingError as exc:
                result.problems.append(QuickLineProblem(number, raw, f"{sku}: {exc.message}"))
                continue
            if amount is None:
                result.problems.append(
                    QuickLineProblem(number, raw, f"{sku}: the quantity is missing.")
                )
                continue
            _add(cart, product, amount)
            result.added.append((product.sku, amount))
        cart.save(update_fields=["updated_at"])
    return result


# --- lists and reorder into the cart --------------------------------------------------------


def list_to_cart(*, actor: Any, requisition_list: RequisitionList) -> int:
    """Add every line of a saved list to the cart; returns the number of lines added."""
    membership = require_orderer(actor)
    if requisition_list.company_id != membership.company_id:
        raise NotFound("There is no such list.")
    visible = visible_products(membership.company)
    with transaction.atomic():
        cart = _cart(membership)
        added = 0
        for line in requisition_list.lines.select_related("product").filter(product__in=visible):
            _add(cart, line.product, line.quantity)
            added += 1
        cart.save(update_fields=["updated_at"])
    return added


@dataclass(frozen=True)
class ReorderNote:
    sku: str
    message: str


@dataclass
class ReorderResult:
    added: int = 0
    notes: list[ReorderNote] = field(default_factory=list)


def reorder_to_cart(
    *, actor: Any, order: Order, line_ids: list[int] | None = None
) -> ReorderResult:
    """Put all (or the chosen) lines of a past order into the cart at today's prices, and say
    which prices changed and which products cannot be ordered any more."""
    membership = require_orderer(actor)
    if order.company_id != membership.company_id:
        raise NotFound("There is no such order.")
    lines = list(order.lines.select_related("product").order_by("position"))
    if line_ids is not None:
        wanted = set(line_ids)
        lines = [line for line in lines if line.pk in wanted]
    settings_row = portal_settings()
    today = portal_today(settings_row)
    drafts = draft_lines(
        membership.company,
        [(line.product, line.quantity) for line in lines],
        today=today,
        currency=settings_row.currency,
    )
    result = ReorderResult()
    with transaction.atomic():
        cart = _cart(membership)
        for line, draft in zip(lines, drafts, strict=True):
            if not (draft.product.active and draft.visible and draft.quote.orderable):
                result.notes.append(
                    ReorderNote(line.sku, f"{line.sku} ({line.name}) can no longer be ordered.")
                )
                continue
            _add(cart, line.product, line.quantity)
            result.added += 1
            now = draft.quote.unit_price or Decimal(0)
            if now != line.unit_price:
                direction = "up" if now > line.unit_price else "down"
                result.notes.append(
                    ReorderNote(
                        line.sku,
                        f"{line.sku}: the price went {direction} from "
                        f"{format_unit_price(line.unit_price, order.currency)} to "
                        f"{format_unit_price(now, order.currency)} per {line.unit}.",
                    )
                )
        cart.save(update_fields=["updated_at"])
    return result
