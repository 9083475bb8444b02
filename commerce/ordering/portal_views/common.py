"""What every buyer ordering page shares: the guard, htmx answers, refusals.

Guard: anonymous visitors go to the sign-in page (coming back here afterwards); signed-in users
without a buyer membership (supplier staff included) get "not found", as on the catalogue. The
view runs in the portal's time zone, so every date shown is the supplier's local time.

Refusals: a missing or foreign object is a 404 and a role that may not act a 403 (with the
service's message), for every request. Any other domain error is something the buyer can fix:
a page shows it as a message (or next to its field), an htmx request gets it in the flash area
with a 4xx status (``static/js/portal.js`` swaps those answers in).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from commerce.customers.models import Membership
from commerce.customers.policies import can_order, require_membership
from commerce.selectors import portal_zone
from core.errors import DomainError, NotFound, PermissionDenied

View = Callable[..., HttpResponseBase]
SWAP_HEADER = "X-Portico-Swap"  # a 4xx answer htmx should show (see static/js/portal.js)


def buyer_page(view: View) -> View:
    """The view gets ``(request, membership, ...)``; see the module docstring."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect(f"/login/?{urlencode({'next': request.get_full_path()})}")
        membership = require_membership(request.user)
        with timezone.override(portal_zone()):
            return view(request, membership, *args, **kwargs)

    return wrapper


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_next(request: HttpRequest, default: str) -> str:
    """The local address in ``next`` (form or query), else ``default``."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def swap_error(response: HttpResponse) -> HttpResponse:
    """Mark a 4xx htmx answer as one to show."""
    response[SWAP_HEADER] = "1"
    return response


def flash(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """An htmx answer for the flash area at the foot of the screen."""
    response = render(
        request, "portal/ordering/_flash.html", {"message": message, "level": "danger"}
    )
    response.status_code = status
    response["HX-Retarget"] = "#portal-flash"
    response["HX-Reswap"] = "innerHTML"
    return swap_error(response)


def refused(request: HttpRequest, exc: DomainError, back: str) -> HttpResponse:
    """The answer to a refused action: 404 / 403 as such (a flash for htmx 403s), anything
    else a message on ``back`` (or the flash for htmx)."""
    if isinstance(exc, NotFound):
        raise exc
    if isinstance(exc, PermissionDenied):
        if is_htmx(request):
            return flash(request, exc.message, 403)
        raise exc
    if is_htmx(request):
        return flash(request, exc.message, 400)
    messages.error(request, exc.message)
    return redirect(back)


def done(request: HttpRequest, message: str, back: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(back)


def page_query(request: HttpRequest) -> str:
    """The query string without ``page`` (for pagination and export links)."""
    kept = request.GET.copy()
    kept.pop("page", None)
    return kept.urlencode()


def orderer_context(membership: Membership) -> dict[str, Any]:
    return {"membership": membership, "can_order": can_order(membership)}
