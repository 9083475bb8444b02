"""The cart: add (from the catalogue and the product page), change quantities with live totals,
one-click fixes, remove, clear, save to a list; and quick order (pasted lines or a CSV file)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commerce.customers.models import Membership
from commerce.customers.policies import can_order
from commerce.ordering import services
from commerce.ordering.access import access_list_by_id
from commerce.ordering.errors import OrderingError, Problem
from commerce.ordering.forms import AddToCartForm, QuickOrderForm, SaveCartForm
from commerce.ordering.portal_views.common import (
    buyer_page,
    done,
    is_htmx,
    refused,
    safe_next,
    swap_error,
)
from commerce.ordering.selectors import DraftView
from commerce.ordering.selectors import portal as selectors
from commerce.ordering.services.cart import QuickOrderResult
from commerce.ordering.validation import DraftLine
from core.errors import DomainError

CART = "/cart/"


@dataclass(frozen=True)
class Fix:
    """A one-click fix of a line: set the quantity (0 removes the line)."""

    label: str
    quantity: int


@dataclass(frozen=True)
class CartRow:
    line: DraftLine
    problems: list[Problem]
    fixes: list[Fix]
    error: str = ""


def _fixes(line: DraftLine, problems: list[Problem]) -> list[Fix]:
    found: dict[int, Fix] = {}
    for problem in problems:
        if problem.fix.get("remove"):
            found.setdefault(0, Fix("Remove it", 0))
        wanted = problem.fix.get("set_quantity")
        if isinstance(wanted, int) and wanted > 0 and wanted != line.quantity:
            verb = "Round up to" if wanted > line.quantity else "Reduce to"
            found.setdefault(wanted, Fix(f"{verb} {wanted}", wanted))
    return list(found.values())


def cart_rows(
    view: DraftView,
    errors: dict[str, str] | None = None,
    problems: list[Problem] | None = None,
) -> list[CartRow]:
    """Each line with the problems found on it (the view's own, or ``problems``), its fixes
    and any refused change."""
    placed = selectors.place_problems(view.problems if problems is None else problems)
    rows = []
    for line in view.lines:
        problems = placed.by_line.get(line.product.sku, [])
        rows.append(
            CartRow(
                line=line,
                problems=problems,
                fixes=_fixes(line, problems),
                error=(errors or {}).get(str(line.product.public_id), ""),
            )
        )
    return rows


def _cart_context(
    membership: Membership, *, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    view = selectors.cart_view(membership)
    placed = selectors.place_problems(view.problems, hide={"cart_empty"})
    may = can_order(membership)
    lists = list(selectors.company_lists(membership)) if may and view.lines else []
    return {
        "membership": membership,
        "view": view,
        "rows": cart_rows(view, errors),
        "general": placed.general,
        "can_order": may,
        "lists": lists,
        "save_form": SaveCartForm(lists=[(str(x.public_id), x.name) for x in lists]),
    }


@require_GET
@buyer_page
def cart(request: HttpRequest, membership: Membership) -> HttpResponse:
    return render(request, "portal/ordering/cart.html", _cart_context(membership))


def _cart_fragment(
    request: HttpRequest, membership: Membership, errors: dict[str, str] | None = None
) -> HttpResponse:
    """The cart's body (lines, problems, total) with the nav's count, for htmx."""
    context = _cart_context(membership, errors=errors)
    context["oob"] = True
    response = render(request, "portal/ordering/_cart.html", context)
    if errors:
        response.status_code = 400
        swap_error(response)
    return response


@require_POST
@buyer_page
def cart_add(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Add a product (from a catalogue card or the product page)."""
    form = AddToCartForm(request.POST)
    back = safe_next(request, CART)
    if not form.is_valid():
        return refused(request, OrderingError("quantity_invalid", "Enter a quantity."), back)
    try:
        line = services.cart_add(
            actor=request.user,
            product_id=form.cleaned_data["product"],
            quantity=form.cleaned_data["quantity"],
        )
    except DomainError as exc:
        return refused(request, exc, back)
    message = f"{line.quantity} × {line.product.name} in your cart."
    if is_htmx(request):
        return render(
            request,
            "portal/ordering/_added.html",
            {"message": message, "cart_lines": selectors.nav_counts(membership).cart_lines},
        )
    messages.success(request, message)
    return redirect(back)


@require_POST
@buyer_page
def cart_line(request: HttpRequest, membership: Membership, product_id: uuid.UUID) -> HttpResponse:
    """Set a line's quantity (0 removes it): the quantity box, and the one-click fixes."""
    errors: dict[str, str] = {}
    try:
        services.cart_set_quantity(
            actor=request.user, product_id=product_id, quantity=request.POST.get("quantity", "")
        )
    except OrderingError as exc:
        errors[str(product_id)] = exc.message
    except DomainError as exc:
        return refused(request, exc, CART)
    if is_htmx(request):
        return _cart_fragment(request, membership, errors)
    if errors:
        messages.error(request, errors[str(product_id)])
    return redirect(CART)


@require_POST
@buyer_page
def cart_line_remove(
    request: HttpRequest, membership: Membership, product_id: uuid.UUID
) -> HttpResponse:
    try:
        services.cart_remove(actor=request.user, product_id=product_id)
    except DomainError as exc:
        return refused(request, exc, CART)
    if is_htmx(request):
        return _cart_fragment(request, membership)
    return done(request, "The line is removed.", CART)


@require_POST
@buyer_page
def cart_clear(request: HttpRequest, membership: Membership) -> HttpResponse:
    try:
        services.cart_clear(actor=request.user)
    except DomainError as exc:
        return refused(request, exc, CART)
    return done(request, "Your cart is empty.", CART)


@require_POST
@buyer_page
def cart_save(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Save the cart's lines on a list (an existing one of the company, or a new one)."""
    form = SaveCartForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, " ".join(str(e) for e in form.non_field_errors()) or "Choose a list."
        )
        return redirect(CART)
    try:
        chosen = form.cleaned_data["requisition_list"]
        if chosen:
            target = access_list_by_id(request.user, chosen)
        else:
            target = services.list_create(actor=request.user, name=form.cleaned_data["new_name"])
        count = services.list_add_cart(actor=request.user, requisition_list=target)
    except DomainError as exc:
        return refused(request, exc, CART)
    return done(
        request,
        f"{count} line{'s' if count != 1 else ''} saved on “{target.name}”.",
        f"/lists/{target.public_id}/",
    )


# --- quick order ----------------------------------------------------------------------------


@dataclass
class QuickOutcome:
    """What one quick order did: per source (pasted lines, CSV rows), what went in and what
    did not."""

    parts: list[tuple[str, QuickOrderResult]] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(len(result.added) for _, result in self.parts)

    @property
    def bad(self) -> int:
        return sum(len(result.problems) for _, result in self.parts)


def _quick_apply(request: HttpRequest, form: QuickOrderForm) -> QuickOutcome:
    """Parse everything first (a bad file changes nothing), then apply the pasted lines and
    the file's rows; a refusal is put on the form, next to what was already added."""
    outcome = QuickOutcome()
    text = form.cleaned_data.get("text") or ""
    upload = form.cleaned_data.get("file")
    try:
        sources = []
        if text.strip():
            sources.append(("Line", services.parse_quick_text(text)))
        if upload:
            sources.append(("Row", services.parse_quick_csv(upload.read())))
        for source, rows in sources:
            outcome.parts.append(
                (source, services.quick_order_apply(actor=request.user, rows=rows))
            )
    except OrderingError as exc:
        form.add_error("file" if exc.code.startswith("csv") else None, exc.message)
    return outcome


@require_http_methods(["GET", "POST"])
@buyer_page
def quick_order(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Paste "SKU quantity" lines or upload a CSV: the good lines go into the cart, every bad
    one is listed with its line number and what is wrong (the bad pasted lines stay in the box
    to be corrected)."""
    form = QuickOrderForm(request.POST or None, request.FILES or None)
    outcome = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            outcome = _quick_apply(request, form)
        if form.errors:
            status = 400
        elif outcome is not None:
            pasted = next((r for source, r in outcome.parts if source == "Line"), None)
            form = QuickOrderForm(
                initial={"text": "\n".join(p.text for p in pasted.problems) if pasted else ""}
            )
    return render(
        request,
        "portal/ordering/quick_order.html",
        {"form": form, "outcome": outcome, "can_order": can_order(membership)},
        status=status,
    )
