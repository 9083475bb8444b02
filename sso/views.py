"""Sign-in pages, shared by the control plane (operators) and every portal (staff, buyers)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from sso import services
from sso.forms import LoginForm
from sso.ratelimit import RateLimited
from sso.services.login import ENROL, OTP

# Where each step of a sign-in continues (sso.services.login).
STEP_URLS = {OTP: "/login/verify/", ENROL: "/account/two-factor/setup/"}


def _home_for(request: HttpRequest) -> str:
    if request.tenant.is_public:  # type: ignore[attr-defined]
        return "/console/"
    if getattr(request.user, "kind", "") == "buyer":
        return "/catalogue/"
    return "/backoffice/"


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return _home_for(request)


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            step = services.session_login(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                next_url=_next_url(request),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = 429 if isinstance(exc, RateLimited) else 400
        else:
            return redirect(STEP_URLS.get(step) or _next_url(request))
    elif request.method == "POST":
        status = 400
    template = "console/login.html" if request.tenant.is_public else "portal/login.html"  # type: ignore[attr-defined]
    return render(request, template, {"form": form, "next": _next_url(request)}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.session_logout(request=request)
    return redirect("sso:login")


@require_http_methods(["GET"])
def handoff_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        step = services.handoff_redeem(
            request=request, token=token, next_url="/backoffice/?welcome=1"
        )
    except DomainError as exc:
        return render(
            request,
            "portal/login.html",
            {"form": LoginForm(), "next": "/backoffice/", "error": exc.message},
            status=400,
        )
    return redirect(STEP_URLS.get(step) or "/backoffice/?welcome=1")
