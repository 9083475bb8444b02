"""Back-office shell pages (supplier staff)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from commerce import selectors
from sso.decorators import staff_required


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("sso:login")
    if getattr(request.user, "kind", "") == "buyer":
        return redirect("/catalogue/")
    return redirect("commerce:backoffice")


@require_GET
@staff_required
def backoffice(request: HttpRequest) -> HttpResponse:
    checklist = selectors.onboarding_checklist()
    return render(
        request,
        "backoffice/dashboard.html",
        {
            "checklist": checklist,
            "checklist_done": sum(item.done for item in checklist),
            "activity": selectors.recent_activity(),
            "welcome": request.GET.get("welcome") == "1",
            "portal_url": f"{settings.PORTICO_SCHEME}://{request.tenant.primary_domain}"  # type: ignore[attr-defined]
            f"{settings.PORTICO_PORT_SUFFIX}/",
        },
    )
