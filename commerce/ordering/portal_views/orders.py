"""The company's orders: the filtered, paginated history and its CSV export, one order with its
timeline and shipments, and the actions a member has on it (approve or reject, cancel,
reorder); the approver's queue."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from commerce.customers.models import Membership
from commerce.ordering import services
from commerce.ordering.access import access_order_by_id
from commerce.ordering.cache import cached_orders
from commerce.ordering.forms import CancelForm, DecisionForm, OrderFilterForm, ReorderForm
from commerce.ordering.models import Order
from commerce.ordering.portal_views.common import buyer_page, done, page_query, refused, safe_next
from commerce.ordering.selectors import OrderFilters, buyer_status
from commerce.ordering.selectors import portal as selectors
from core.errors import DomainError

PAGE_SIZE = 20
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _filters(request: HttpRequest) -> tuple[OrderFilterForm, OrderFilters]:
    form = OrderFilterForm(request.GET or None)
    return form, form.filters() if form.is_bound else OrderFilters()


@require_GET
@buyer_page
def orders(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The company's orders, newest first, 20 a page, with the buyer's one-line status. The
    page's content (filters and list) is the same for every member of the company: it comes
    rendered from the orders cache (commerce.ordering.cache); only the shell (navigation, with
    this user's cart and inbox counts) is rendered per request."""
    form, filters = _filters(request)
    tz = timezone.get_current_timezone()

    def results() -> str:
        found = selectors.company_orders(membership, filters, tz)
        page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
        return render_to_string(
            "portal/ordering/_orders_results.html",
            {
                "form": form,
                "page": page,
                "rows": [(order, buyer_status(order)) for order in page.object_list],
                "query": page_query(request),
            },
        )

    key = f"history|{tz}|{sorted(request.GET.lists())}"
    html = cached_orders(membership.company_id, key, results)
    return render(
        request,
        "portal/ordering/orders.html",
        {"content_html": mark_safe(html)},  # noqa: S308  (our own template's output)
    )


def _cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@buyer_page
def orders_export(request: HttpRequest, membership: Membership) -> HttpResponseBase:
    """The same orders as the list with the same filters, every page, as CSV."""
    _, filters = _filters(request)
    found = selectors.company_orders(membership, filters, timezone.get_current_timezone())
    tz = timezone.get_current_timezone()
    writer = csv.writer(_Echo())
    header = [
        "number",
        "placed_at",
        "status",
        "po_number",
        "cost_centre",
        "placed_by",
        "total",
        "currency",
    ]

    def rows() -> Iterator[str]:
        yield writer.writerow(header)
        for order in found.iterator(chunk_size=500):
            yield writer.writerow(
                [
                    _cell(value)
                    for value in (
                        order.number,
                        order.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                        buyer_status(order),
                        order.po_number,
                        order.cost_centre_code,
                        order.placed_by.email,
                        f"{order.total:.2f}",
                        order.currency,
                    )
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="orders.csv"'
    return response


@require_GET
@buyer_page
def order_detail(request: HttpRequest, membership: Membership, order_id: uuid.UUID) -> HttpResponse:
    order = access_order_by_id(request.user, order_id)
    detail = selectors.order_page(membership, order)
    return render(
        request,
        "portal/ordering/order.html",
        {
            "detail": detail,
            "order": order,
            "status": detail.status,
            "decision_form": DecisionForm(),
            "cancel_form": CancelForm(),
        },
    )


def _order_url(order: Order) -> str:
    return f"/orders/{order.public_id}/"


@require_POST
@buyer_page
def order_approve(
    request: HttpRequest, membership: Membership, order_id: uuid.UUID
) -> HttpResponse:
    order = access_order_by_id(request.user, order_id)
    back = safe_next(request, _order_url(order))
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.order_approve(actor=request.user, order=order, comment=comment)
    except DomainError as exc:
        return refused(request, exc, back)
    return done(request, f"Order {order.number} is approved and goes to the supplier.", back)


@require_POST
@buyer_page
def order_reject(request: HttpRequest, membership: Membership, order_id: uuid.UUID) -> HttpResponse:
    order = access_order_by_id(request.user, order_id)
    back = safe_next(request, _order_url(order))
    form = DecisionForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.order_reject_approval(actor=request.user, order=order, comment=comment)
    except DomainError as exc:
        return refused(request, exc, back)
    return done(request, f"Order {order.number} is rejected; the buyer is told why.", back)


@require_POST
@buyer_page
def order_cancel(request: HttpRequest, membership: Membership, order_id: uuid.UUID) -> HttpResponse:
    order = access_order_by_id(request.user, order_id)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.order_cancel(actor=request.user, order=order, reason=reason)
    except DomainError as exc:
        return refused(request, exc, _order_url(order))
    return done(request, f"Order {order.number} is cancelled.", _order_url(order))


@require_POST
@buyer_page
def order_reorder(
    request: HttpRequest, membership: Membership, order_id: uuid.UUID
) -> HttpResponse:
    """All lines ("all" button) or the ticked ones into the cart at today's prices; what
    changed since (prices, products no longer available) is said."""
    order = access_order_by_id(request.user, order_id)
    lines = {line.position: line.pk for line in order.lines.all()}
    form = ReorderForm(request.POST, positions=sorted(lines))
    chosen = [int(p) for p in form.cleaned_data["lines"]] if form.is_valid() else []
    everything = request.POST.get("scope") == "all"
    if not everything and not chosen:
        messages.error(request, "Tick the lines to order again, or order everything again.")
        return redirect(_order_url(order))
    try:
        result = services.reorder_to_cart(
            actor=request.user,
            order=order,
            line_ids=None if everything else [lines[p] for p in chosen],
        )
    except DomainError as exc:
        return refused(request, exc, _order_url(order))
    for note in result.notes:
        messages.warning(request, note.message)
    if not result.added:
        messages.error(request, "Nothing of this order can be ordered again.")
        return redirect(_order_url(order))
    return done(
        request,
        f"{result.added} line{'s' if result.added != 1 else ''} of order {order.number} "
        "added to your cart at today's prices.",
        "/cart/",
    )


@require_GET
@buyer_page
def approvals(request: HttpRequest, membership: Membership) -> HttpResponse:
    """Orders waiting for approval that this member may decide."""
    page = Paginator(selectors.awaiting_my_decision(membership), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/ordering/approvals.html",
        {
            "page": page,
            "decides": selectors.may_decide_some(membership),
            "decision_form": DecisionForm(),
            "query": page_query(request),
        },
    )
