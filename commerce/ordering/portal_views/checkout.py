"""Checkout: delivery address, requested date, PO number, cost centre and note; the cart as it
would be placed with every problem next to its line or field; the payment terms; whether an
approver must agree first. "Review" checks without placing (htmx, or a plain POST); "Place
order" places, or shows every problem and places nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from commerce.customers.models import Membership
from commerce.customers.policies import can_order
from commerce.ordering import services
from commerce.ordering.choices import ProcessState
from commerce.ordering.errors import OrderInvalid, Problem
from commerce.ordering.forms import CheckoutForm
from commerce.ordering.portal_views.cart import cart_rows
from commerce.ordering.portal_views.common import buyer_page
from commerce.ordering.selectors import portal as selectors
from commerce.ordering.services import CheckoutInput
from commerce.ordering.services.orders import approval_reason
from commerce.selectors import portal_today

CHECKOUT_TEMPLATE = "portal/ordering/checkout.html"
CHECKOUT_FRAGMENT = "portal/ordering/_checkout.html"


def _form(request: HttpRequest, membership: Membership) -> CheckoutForm:
    company = membership.company
    options = selectors.checkout_options(company)
    default = options.default_address
    return CheckoutForm(
        request.POST if request.method == "POST" else None,
        initial={"delivery_address": str(default.public_id) if default else ""},
        options=options,
        po_required=company.po_required,
        today=portal_today(),
    )


def _input(form: CheckoutForm) -> CheckoutInput:
    if form.is_bound:
        return form.to_input()
    return CheckoutInput(delivery_address=form.initial.get("delivery_address") or None)


def _mark_invalid(form: CheckoutForm, name: str) -> None:
    """Style a field the services found wrong as the form's own errors are styled."""
    attrs = form.fields[name].widget.attrs
    if "is-invalid" not in attrs.get("class", ""):
        attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
    attrs["aria-invalid"] = "true"
    attrs["aria-describedby"] = f"id_{name}_error"


def _context(
    request: HttpRequest,
    membership: Membership,
    form: CheckoutForm,
    *,
    problems: list[Problem] | None = None,
) -> dict[str, Any]:
    """The page: the draft as it would be placed, problems next to lines and (once the buyer
    has sent the form) fields, the payment terms and whether approval will be needed."""
    view = services.checkout_view(request.user, _input(form))
    found = view.problems if problems is None else problems
    placed = selectors.place_problems(found, hide={"cart_empty"})
    if form.is_bound:
        for name, field_problems in placed.by_field.items():
            if name in form.fields:
                for problem in field_problems:
                    form.add_error(name, f"{problem.message} {problem.suggestion}".strip())
                _mark_invalid(form, name)
    company = view.company
    return {
        "form": form,
        "view": view,
        "rows": cart_rows(view, problems=found),
        "general": placed.general,
        "blocking": [p for p in found if p.blocking],
        "reviewed": form.is_bound,
        "payment_text": selectors.payment_text(company),
        "approval": approval_reason(company, membership, view.total, view.currency)
        if view.lines
        else "",
        "can_order": can_order(membership),
        "po_required": company.po_required,
    }


@require_http_methods(["GET", "POST"])
@buyer_page
def checkout(request: HttpRequest, membership: Membership) -> HttpResponse:
    form = _form(request, membership)
    if request.method == "POST" and request.POST.get("action") != "review":
        return _place(request, membership, form)
    context = _context(request, membership, form)
    if not context["view"].lines:
        messages.info(request, "Your cart is empty: add products before checking out.")
        return redirect("/cart/")
    return render(request, CHECKOUT_TEMPLATE, context, status=400 if form.errors else 200)


@require_POST
@buyer_page
def checkout_review(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The checkout re-checked with what the buyer has filled in so far (htmx fragment)."""
    form = _form(request, membership)
    context = _context(request, membership, form)
    return render(request, CHECKOUT_FRAGMENT, context)


def _place(request: HttpRequest, membership: Membership, form: CheckoutForm) -> HttpResponse:
    if form.is_valid():
        try:
            order = services.order_place(actor=request.user, data=form.to_input())
        except OrderInvalid as exc:
            context = _context(request, membership, form, problems=exc.problems)
        else:
            if order.process_state == ProcessState.AWAITING_APPROVAL:
                messages.success(
                    request,
                    f"Order {order.number} is placed and waits for your approver: "
                    f"{order.approval_reason}",
                )
            else:
                messages.success(
                    request, f"Order {order.number} is placed: the supplier has received it."
                )
            return redirect(f"/orders/{order.public_id}/")
    else:
        context = _context(request, membership, form)
    if not context["view"].lines:
        messages.info(request, "Your cart is empty: add products before checking out.")
        return redirect("/cart/")
    return render(request, CHECKOUT_TEMPLATE, context, status=400)
