"""Pricing back office: price lists with their breaks, contract prices, and a price check."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from commerce.pricing import access, selectors, services
from commerce.pricing.errors import PricingError
from commerce.pricing.forms import ContractPriceForm, PriceCheckForm, PriceItemForm, PriceListForm
from commerce.pricing.policies import require_pricing_reader
from commerce.selectors import portal_settings, portal_today
from sso.decorators import staff_required


def _can_edit(user: Any) -> bool:
    return user.staff_role in {"administrator", "account_manager"}


def _form_error(form: Any, exc: PricingError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@require_http_methods(["GET", "POST"])
@staff_required
def price_lists(request: HttpRequest) -> HttpResponse:
    require_pricing_reader(request.user)
    form = PriceListForm(request.POST or None, initial={"active": True, "priority": 100})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = services.price_list_create(actor=request.user, **form.cleaned_data)
            except PricingError as exc:
                _form_error(form, exc)
                status = 400
            else:
                messages.success(request, f"Price list “{created.name}” created.")
                return redirect("pricing-backoffice:list", public_id=created.public_id)
        else:
            status = 400
    return render(
        request,
        "backoffice/pricing/lists.html",
        {
            "lists": selectors.price_list_rows(),
            "form": form,
            "can_edit": _can_edit(request.user),
            "currency": portal_settings().currency,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def price_list_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    price_list = access.access_price_list_by_id(request.user, public_id)
    posted = request.POST.get("form") if request.method == "POST" else None
    list_form = PriceListForm(
        request.POST if posted == "list" else None,
        initial={
            "name": price_list.name,
            "priority": price_list.priority,
            "is_default": price_list.is_default,
            "active": price_list.active,
            "external_ref": price_list.external_ref,
        },
    )
    item_form = PriceItemForm(request.POST if posted == "item" else None)
    if posted == "list" and _save_list(request, price_list, list_form):
        return redirect(request.path)
    if posted == "item" and _save_item(request, price_list, item_form):
        return redirect(request.path)
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.price_list_items(price_list, search=search), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/pricing/list_detail.html",
        {
            "price_list": price_list,
            "list_form": list_form,
            "item_form": item_form,
            "page": page,
            "q": search,
            "can_edit": _can_edit(request.user),
        },
        status=400 if posted else 200,
    )


def _save_list(request: HttpRequest, price_list: Any, form: PriceListForm) -> bool:
    if not form.is_valid():
        return False
    try:
        services.price_list_update(actor=request.user, price_list=price_list, **form.cleaned_data)
    except PricingError as exc:
        _form_error(form, exc)
        return False
    messages.success(request, "Price list saved.")
    return True


def _save_item(request: HttpRequest, price_list: Any, form: PriceItemForm) -> bool:
    if not form.is_valid():
        return False
    product = selectors.product_by_sku(form.cleaned_data["sku"])
    if product is None:
        form.add_error("sku", f"No product has the SKU “{form.cleaned_data['sku']}”.")
        return False
    try:
        services.price_list_item_set(
            actor=request.user,
            price_list=price_list,
            product=product,
            min_quantity=form.cleaned_data["min_quantity"],
            unit_price=form.cleaned_data["unit_price"],
        )
    except PricingError as exc:
        _form_error(form, exc)
        return False
    messages.success(
        request, f"Price of {product.sku} from {form.cleaned_data['min_quantity']} saved."
    )
    return True


@require_POST
@staff_required
def price_list_item_delete(request: HttpRequest, public_id: str, item_id: str) -> HttpResponse:
    price_list = access.access_price_list_by_id(request.user, public_id)
    item = access.access_price_list_item(request.user, price_list, item_id)
    services.price_list_item_delete(actor=request.user, item=item)
    messages.success(request, f"Removed the price of {item.product.sku} from {item.min_quantity}.")
    return redirect("pricing-backoffice:list", public_id=price_list.public_id)


@require_http_methods(["GET", "POST"])
@staff_required
def contracts(request: HttpRequest) -> HttpResponse:
    require_pricing_reader(request.user)
    choices = selectors.company_choices()
    form = ContractPriceForm(request.POST or None)
    form.fields["company"].choices = choices  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            company = selectors.company_by_public_id(form.cleaned_data["company"])
            product = selectors.product_by_sku(form.cleaned_data["sku"])
            if product is None:
                form.add_error("sku", f"No product has the SKU “{form.cleaned_data['sku']}”.")
            elif company is not None:
                try:
                    services.contract_price_create(
                        actor=request.user,
                        company=company,
                        product=product,
                        unit_price=form.cleaned_data["unit_price"],
                        valid_from=form.cleaned_data["valid_from"],
                        valid_to=form.cleaned_data["valid_to"],
                    )
                except PricingError as exc:
                    _form_error(form, exc)
                else:
                    messages.success(request, f"Contract price for {company.name} saved.")
                    return redirect("pricing-backoffice:contracts")
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.contract_prices(search=search), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/pricing/contracts.html",
        {
            "form": form,
            "page": page,
            "q": search,
            "can_edit": _can_edit(request.user),
            "today": portal_today(),
        },
        status=status,
    )


@require_POST
@staff_required
def contract_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    contract = access.access_contract_price_by_id(request.user, public_id)
    services.contract_price_delete(actor=request.user, contract=contract)
    messages.success(request, "Contract price removed.")
    return redirect("pricing-backoffice:contracts")


@require_http_methods(["GET"])
@staff_required
def price_check(request: HttpRequest) -> HttpResponse:
    """Staff ask the pricing function what a company pays, and see why."""
    require_pricing_reader(request.user)
    form = PriceCheckForm(request.GET or None)
    form.fields["company"].choices = selectors.company_choices()  # type: ignore[attr-defined]
    quote = None
    if request.GET and form.is_valid():
        company = selectors.company_by_public_id(form.cleaned_data["company"])
        product = selectors.product_by_sku(form.cleaned_data["sku"])
        if product is None:
            form.add_error("sku", f"No product has the SKU “{form.cleaned_data['sku']}”.")
        else:
            quote = selectors.price_for(
                company=company,
                product=product,
                quantity=form.cleaned_data["quantity"],
                on=form.cleaned_data["on"] or portal_today(),
                currency=portal_settings().currency,
            )
    return render(request, "backoffice/pricing/check.html", {"form": form, "quote": quote})
