"""Back-office pages of ordering: the orders queue (tabs by state, filters, CSV), the order page
with the supplier's actions, and the carriers.

Every staff role sees orders. Each action first asks ``policies`` whether the role may do it (a
wrong role gets 403 and nothing changes), then calls its service, which checks again and
decides what the state allows; a refusal is shown next to its field or as a message, never as
an error page. Buyers never reach these pages (``staff_required``: 403, like every back-office
page); another portal's order id is "not found".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commerce.ordering import services
from commerce.ordering.access import access_carrier_by_id, access_order_by_id
from commerce.ordering.backoffice_forms import (
    CancelForm,
    CarrierForm,
    OrderFilterForm,
    PaymentForm,
    RejectForm,
    ShipForm,
)
from commerce.ordering.cache import ALL, cached_orders
from commerce.ordering.models import Carrier, Order
from commerce.ordering.policies import require_dispatcher, require_finance, require_validator
from commerce.ordering.selectors import backoffice
from commerce.selectors import portal_zone
from core.errors import DomainError, NotFound, PermissionDenied
from sso.decorators import staff_required


def _order_url(order: Order) -> str:
    return f"/backoffice/orders/{order.public_id}/"


def _show_error(request: HttpRequest, form: forms.Form | None, exc: DomainError) -> None:
    """Next to its field when the form has it; otherwise as a message above the page (the
    action's form may be gone: someone else moved the order meanwhile)."""
    aliases: dict[str, str] = getattr(form, "field_aliases", {})
    name = aliases.get(exc.field or "", exc.field)
    if form is not None and name in form.fields:
        form.add_error(name, exc.message)
    else:
        messages.error(request, exc.message)


# --- the queue --------------------------------------------------------------------------------


def _filter_form(request: HttpRequest) -> OrderFilterForm:
    form = OrderFilterForm(request.GET or None, companies=backoffice.company_choices())
    if request.GET:
        form.is_valid()
    return form


@require_GET
@staff_required
def order_queue(request: HttpRequest) -> HttpResponse:
    """The orders queue. Its content is the same for every staff member, so it comes rendered
    from the orders cache (commerce.ordering.cache, invalidated by every order change)."""
    zone = portal_zone()

    def content() -> str:
        form = _filter_form(request)
        filters = form.filters()
        tabs = backoffice.queue_tabs(filters, zone)
        page = backoffice.queue_page(filters, zone, tabs, request.GET.get("page"))
        params = {k: v for k, v in request.GET.items() if v and k not in {"page", "status"}}
        return render_to_string(
            "backoffice/ordering/_queue_content.html",
            {
                "form": form,
                "tabs": tabs,
                "page": page,
                "status": filters.status,
                "filters_query": urlencode(params),
                "query": urlencode(
                    {**params, "status": filters.status} if filters.status else params
                ),
                "filtered": bool(params),
                "zone": zone.key,
            },
        )

    html = cached_orders(ALL, f"queue|{zone.key}|{sorted(request.GET.lists())}", content)
    return render(
        request,
        "backoffice/ordering/queue.html",
        {"content_html": mark_safe(html)},  # noqa: S308  (our own template's output)
    )


@require_GET
@staff_required
def order_export(request: HttpRequest) -> HttpResponse:
    zone = portal_zone()
    orders = backoffice.queue_export(_filter_form(request).filters(), zone)
    response = HttpResponse(
        backoffice.order_csv(orders.iterator(chunk_size=500), zone), content_type="text/csv"
    )
    response["Content-Disposition"] = 'attachment; filename="orders.csv"'
    return response


# --- the order page and its actions -----------------------------------------------------------


def _render_order(
    request: HttpRequest,
    order: Order,
    bound: dict[str, forms.Form] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    page = backoffice.order_page(order)
    actions = backoffice.staff_actions(request.user, page.order, page.lines)
    bound = bound or {}
    ship_form = bound.get("ship")
    if ship_form is None and actions.ship:
        ship_form = ShipForm(carriers=backoffice.active_carriers(), lines=page.lines)
    return render(
        request,
        "backoffice/ordering/detail.html",
        {
            "page": page,
            "order": page.order,
            "actions": actions,
            "reject_form": bound.get("reject") or RejectForm(),
            "cancel_form": bound.get("cancel") or CancelForm(),
            "payment_form": bound.get("payment")
            or PaymentForm(initial={"amount": page.amount_due}),
            "ship_form": ship_form,
            "zone": portal_zone().key,
        },
        status=status,
    )


@require_GET
@staff_required
def order_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return _render_order(request, access_order_by_id(request.user, public_id))


Run = Callable[[Any, Order, Any], object]


@dataclass(frozen=True)
class Action:
    """One supplier action on an order: who may (the policy), its form, the service, and what
    to say when it worked ({number} is the order number)."""

    require: Callable[[Any], None]
    run: Run
    done: str
    form: Callable[[Any, Order], forms.Form] | None = None


def _ship_form(data: Any, order: Order) -> forms.Form:
    return ShipForm(data, carriers=backoffice.active_carriers(), lines=list(order.lines.all()))


def _ship(actor: Any, order: Order, form: Any) -> object:
    return services.shipment_create(
        actor=actor,
        order=order,
        carrier_id=form.cleaned_data["carrier"],
        tracking_number=form.cleaned_data["tracking_number"],
        quantities=form.quantities(),
    )


ACTIONS: dict[str, Action] = {
    "validate": Action(
        require_validator,
        lambda actor, order, _: services.order_validate(actor=actor, order=order),
        "Order {number} is validated. Confirm it to reserve the stock.",
    ),
    "reject": Action(
        require_validator,
        lambda actor, order, form: services.order_reject(
            actor=actor, order=order, reason=form.cleaned_data["reason"]
        ),
        "Order {number} is rejected; the buyer sees your reason.",
        lambda data, _: RejectForm(data),
    ),
    "confirm": Action(
        require_validator,
        lambda actor, order, _: services.order_confirm(actor=actor, order=order),
        "Order {number} is confirmed and its stock reserved.",
    ),
    "ship": Action(
        require_dispatcher, _ship, "The shipment of order {number} is recorded.", _ship_form
    ),
    "deliver": Action(
        require_dispatcher,
        lambda actor, order, _: services.order_deliver(actor=actor, order=order),
        "Order {number} is delivered.",
    ),
    "cancel": Action(
        require_validator,
        lambda actor, order, form: services.order_cancel(
            actor=actor, order=order, reason=form.cleaned_data["cancel_reason"]
        ),
        "Order {number} is cancelled; reserved stock is free again.",
        lambda data, _: CancelForm(data),
    ),
    "payment": Action(
        require_finance,
        lambda actor, order, form: services.payment_record(
            actor=actor,
            order=order,
            amount=form.cleaned_data["amount"],
            reference=form.cleaned_data["reference"],
        ),
        "The payment for order {number} is recorded.",
        lambda data, _: PaymentForm(data),
    ),
    "proforma": Action(
        require_finance,
        lambda actor, order, _: services.payment_issue_proforma(actor=actor, order=order),
        "A pro-forma for order {number} is issued.",
    ),
}


@require_POST
@staff_required
def order_act(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise NotFound()
    order = access_order_by_id(request.user, public_id)
    spec.require(request.user)
    form = spec.form(request.POST, order) if spec.form else None
    if form is not None and not form.is_valid():
        return _render_order(request, order, {action: form}, status=400)
    try:
        spec.run(request.user, order, form)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        _show_error(request, form, exc)
        return _render_order(request, order, {action: form} if form else None, status=400)
    messages.success(request, spec.done.format(number=order.number))
    return redirect(_order_url(order))


# --- carriers ---------------------------------------------------------------------------------


def _require_carrier_manager(actor: Any) -> None:
    if not backoffice.can_manage_carriers(actor):
        raise PermissionDenied("Only administrators and dispatchers manage carriers.")


def _save_carrier(request: HttpRequest, form: CarrierForm, carrier: Carrier | None) -> bool:
    if not form.is_valid():
        return False
    try:
        saved = services.carrier_save(actor=request.user, carrier=carrier, **form.cleaned_data)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        _show_error(request, form, exc)
        return False
    messages.success(request, f"Carrier “{saved.name}” is saved.")
    return True


@require_http_methods(["GET", "POST"])
@staff_required
def carriers(request: HttpRequest) -> HttpResponse:
    can_manage = backoffice.can_manage_carriers(request.user)
    form = CarrierForm(request.POST or None, initial={"active": True})
    if request.method == "POST":
        _require_carrier_manager(request.user)
        if _save_carrier(request, form, None):
            return redirect("ordering-backoffice:carriers")
    return render(
        request,
        "backoffice/ordering/carriers.html",
        {"carriers": backoffice.carrier_rows(), "form": form, "can_manage": can_manage},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def carrier_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    carrier = access_carrier_by_id(request.user, public_id)
    _require_carrier_manager(request.user)
    form = CarrierForm(
        request.POST or None,
        initial={
            "name": carrier.name,
            "tracking_url_template": carrier.tracking_url_template,
            "active": carrier.active,
        },
    )
    if request.method == "POST" and _save_carrier(request, form, carrier):
        return redirect("ordering-backoffice:carriers")
    return render(
        request,
        "backoffice/ordering/carrier_form.html",
        {"carrier": carrier, "form": form},
        status=400 if request.method == "POST" else 200,
    )
