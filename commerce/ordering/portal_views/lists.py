"""Requisition lists: the company's lists, one list with editable quantities, adding a product
by SKU, rename, delete, and the whole list into the cart in one click. Everyone in the company
sees the lists; members who may order change them."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commerce.customers.models import Membership
from commerce.customers.policies import can_order
from commerce.ordering import services
from commerce.ordering.access import access_list_by_id
from commerce.ordering.errors import OrderingError
from commerce.ordering.forms import ListItemForm, ListNameForm
from commerce.ordering.portal_views.common import buyer_page, done, refused
from commerce.ordering.selectors import portal as selectors
from commerce.selectors import portal_settings
from core.errors import DomainError


@require_http_methods(["GET", "POST"])
@buyer_page
def lists(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The company's lists; POST creates one and opens it."""
    form = ListNameForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            made = services.list_create(actor=request.user, name=form.cleaned_data["name"])
        except OrderingError as exc:
            form.add_error("name" if exc.field == "name" else None, exc.message)
            status = 400
        else:
            return done(request, f"The list “{made.name}” is created.", f"/lists/{made.public_id}/")
    return render(
        request,
        "portal/ordering/lists.html",
        {
            "lists": selectors.company_lists(membership),
            "form": form,
            "can_order": can_order(membership),
        },
        status=status,
    )


@require_GET
@buyer_page
def list_detail(request: HttpRequest, membership: Membership, list_id: uuid.UUID) -> HttpResponse:
    found = access_list_by_id(request.user, list_id)
    return render(
        request,
        "portal/ordering/list_detail.html",
        {
            "list": found,
            "lines": selectors.list_draft(membership, found),
            "currency": portal_settings().currency,
            "rename_form": ListNameForm(initial={"name": found.name}),
            "item_form": ListItemForm(),
            "can_order": can_order(membership),
        },
    )


def _list_url(list_id: uuid.UUID) -> str:
    return f"/lists/{list_id}/"


@require_POST
@buyer_page
def list_rename(request: HttpRequest, membership: Membership, list_id: uuid.UUID) -> HttpResponse:
    found = access_list_by_id(request.user, list_id)
    try:
        services.list_rename(
            actor=request.user, requisition_list=found, name=request.POST.get("name", "")
        )
    except DomainError as exc:
        return refused(request, exc, _list_url(list_id))
    return done(request, f"The list is now called “{found.name}”.", _list_url(list_id))


@require_POST
@buyer_page
def list_delete(request: HttpRequest, membership: Membership, list_id: uuid.UUID) -> HttpResponse:
    found = access_list_by_id(request.user, list_id)
    name = found.name
    try:
        services.list_delete(actor=request.user, requisition_list=found)
    except DomainError as exc:
        return refused(request, exc, _list_url(list_id))
    return done(request, f"The list “{name}” is deleted.", "/lists/")


@require_POST
@buyer_page
def list_add_item(request: HttpRequest, membership: Membership, list_id: uuid.UUID) -> HttpResponse:
    """Put a product on the list by its SKU (a product already there gets the new quantity)."""
    found = access_list_by_id(request.user, list_id)
    back = _list_url(list_id)
    form = ListItemForm(request.POST)
    if not form.is_valid():
        return refused(request, OrderingError("item_invalid", "Enter a SKU and a quantity."), back)
    sku = form.cleaned_data["sku"].strip()
    product = selectors.visible_product_by_sku(membership, sku)
    if product is None:
        return refused(
            request, OrderingError("sku_unknown", f"There is no product with SKU “{sku}”."), back
        )
    try:
        line = services.list_set_item(
            actor=request.user,
            requisition_list=found,
            product_id=product.public_id,
            quantity=form.cleaned_data["quantity"],
        )
    except DomainError as exc:
        return refused(request, exc, back)
    quantity = line.quantity if line else 0
    return done(request, f"{product.sku}: {quantity} {product.unit} on the list.", back)


@require_POST
@buyer_page
def list_item(
    request: HttpRequest, membership: Membership, list_id: uuid.UUID, product_id: uuid.UUID
) -> HttpResponse:
    """Change a line's quantity (0 removes it)."""
    found = access_list_by_id(request.user, list_id)
    try:
        services.list_set_item(
            actor=request.user,
            requisition_list=found,
            product_id=product_id,
            quantity=request.POST.get("quantity", ""),
        )
    except DomainError as exc:
        return refused(request, exc, _list_url(list_id))
    return done(request, "The list is saved.", _list_url(list_id))


@require_POST
@buyer_page
def list_item_remove(
    request: HttpRequest, membership: Membership, list_id: uuid.UUID, product_id: uuid.UUID
) -> HttpResponse:
    found = access_list_by_id(request.user, list_id)
    try:
        services.list_set_item(
            actor=request.user, requisition_list=found, product_id=product_id, quantity="0"
        )
    except DomainError as exc:
        return refused(request, exc, _list_url(list_id))
    return done(request, "The line is removed from the list.", _list_url(list_id))


@require_POST
@buyer_page
def list_to_cart(request: HttpRequest, membership: Membership, list_id: uuid.UUID) -> HttpResponse:
    found = access_list_by_id(request.user, list_id)
    try:
        added = services.list_to_cart(actor=request.user, requisition_list=found)
    except DomainError as exc:
        return refused(request, exc, _list_url(list_id))
    if not added:
        nothing = OrderingError("list_empty", "Nothing on this list can be ordered right now.")
        return refused(request, nothing, _list_url(list_id))
    return done(
        request,
        f"{added} line{'s' if added != 1 else ''} of “{found.name}” added to your cart.",
        "/cart/",
    )
