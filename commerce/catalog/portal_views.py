"""The buyer's catalogue pages: parse the query, call the portal selectors, render.

Anonymous visitors are sent to the login page; signed-in users who are not buyers with a
membership (supplier staff included) get "not found", as ``require_membership`` decides.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from commerce.catalog.cache import cached_together, company_key
from commerce.catalog.selectors import portal as selectors
from commerce.customers.policies import require_membership
from commerce.selectors import portal_settings, portal_today
from core.ids import parse_uuid

LAYOUTS = ("grid", "list")
LAYOUT_SESSION_KEY = "catalogue_layout"
TRUE_VALUES = {"1", "on", "true", "yes"}


def _signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"/login/?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


def _positive_int(raw: str | None) -> int | None:
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if value >= 1 else None


def _layout(request: HttpRequest) -> str:
    """The grid/list choice: from the query string when given (and remembered in the session),
    else the remembered one, else grid."""
    asked = request.GET.get("view", "")
    if asked in LAYOUTS:
        if request.session.get(LAYOUT_SESSION_KEY) != asked:
            request.session[LAYOUT_SESSION_KEY] = asked
        return asked
    remembered = request.session.get(LAYOUT_SESSION_KEY, "grid")
    return remembered if remembered in LAYOUTS else "grid"


def _query_without(params: QueryDict, *keys: str) -> str:
    kept = params.copy()
    for key in keys:
        kept.pop(key, None)
    return kept.urlencode()


@require_GET
@_signed_in
def catalogue(request: HttpRequest) -> HttpResponse:
    """The priced catalogue. Its two expensive parts, the result cards (per company) and the
    category options (the same for everyone), come rendered from the catalogue cache in one
    round trip; only the light page shell is rendered on every request."""
    membership = require_membership(request.user)
    settings_row = portal_settings()
    today = portal_today(settings_row)
    sort = request.GET.get("sort", "")
    category_id = parse_uuid(request.GET.get("category", ""))
    filters = selectors.CatalogueFilters(
        search=request.GET.get("q", "").strip()[: selectors.SEARCH_MAX_LENGTH],
        in_stock=request.GET.get("in_stock", "").lower() in TRUE_VALUES,
        sort=sort if sort in selectors.CatalogueSort.values else "",
    )
    layout = _layout(request)
    page_number = _positive_int(request.GET.get("page")) or 1

    def results() -> str:
        chosen = replace(filters, category=selectors.category_by_public_id(category_id))
        page = selectors.catalogue_page(
            membership=membership, filters=chosen, page=page_number, settings_row=settings_row
        )
        return render_to_string(
            "portal/catalogue/_results.html",
            {
                "page": page,
                "filters": chosen,
                "layout": layout,
                "page_query": _query_without(request.GET, "page"),
                "layout_query": _query_without(request.GET, "view"),
            },
        )

    def category_options() -> str:
        return render_to_string(
            "portal/catalogue/_category_options.html",
            {
                "options": [
                    (c.public_id, "\u00a0\u00a0" * c.depth + c.name)
                    for c in selectors.catalogue_categories()
                ],
                "selected": category_id,
            },
        )

    page_key = company_key(
        "page", membership.company_id, today, f"{layout}|{sorted(request.GET.lists())}"
    )
    options_key = company_key("category-options", 0, today, str(category_id or ""))
    rendered = cached_together({page_key: results, options_key: category_options})
    sorts = [
        (value, label)
        for value, label in selectors.CatalogueSort.choices
        if value != selectors.CatalogueSort.RELEVANCE or filters.search
    ]
    return render(
        request,
        "portal/catalogue/index.html",
        {
            # our own templates' output:
            "results_html": mark_safe(rendered[page_key]),  # noqa: S308
            "category_options_html": mark_safe(rendered[options_key]),  # noqa: S308
            "filters": filters,
            "sort": filters.effective_sort,
            "sorts": sorts,
            "layout": layout,
        },
    )


@require_GET
@_signed_in
def product(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    found = selectors.access_product_for_buyer(request.user, public_id)
    detail = selectors.product_detail(
        membership=require_membership(request.user),
        product=found,
        quantity=_positive_int(request.GET.get("quantity")),
    )
    return render(request, "portal/catalogue/product.html", {"detail": detail})
