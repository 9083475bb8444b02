"""Control-plane pages: landing, supplier sign-up, and the operators' console."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django_tenants.utils import schema_context

from control_plane.forms import SignupForm, StatusChangeForm
from core.errors import DomainError
from sso.services import handoff_create
from tenants import selectors, services
from tenants.choices import TenantStatus
from tenants.errors import SignupInvalid, SubdomainError

View = Callable[..., HttpResponse]


def operator_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and getattr(user, "is_operator", False)):
            return redirect(f"/login/?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "console/landing.html")


@require_GET
def subdomain_check(request: HttpRequest) -> HttpResponse:
    """htmx: the live availability line under the sub-domain field."""
    raw = request.GET.get("subdomain", "")
    try:
        slug = services.subdomain_check(raw)
    except SubdomainError as exc:
        return render(
            request, "console/_subdomain_status.html", {"ok": False, "message": exc.message}
        )
    return render(
        request,
        "console/_subdomain_status.html",
        {"ok": True, "message": f"{services.host_for(slug)} is available."},
    )


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        signup_request = services.SignupRequest(**form.cleaned_data)
        try:
            tenant, admin = services.tenant_provision(actor=None, request=signup_request)
        except SignupInvalid as exc:
            problems = exc.problems
        except DomainError as exc:
            problems = {exc.field or "__all__": exc.message}
        else:
            with schema_context(tenant.schema_name):
                token = handoff_create(user=admin)
            host = services.host_for(tenant.slug) + settings.PORTICO_PORT_SUFFIX
            return redirect(f"{settings.PORTICO_SCHEME}://{host}/auth/handoff/{token}/")
        for field, message in problems.items():
            form.add_error(None if field == "__all__" else field, message)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "console/signup.html",
        {"form": form, "base_domain": settings.PORTICO_BASE_DOMAIN},
        status=status,
    )


@require_GET
@operator_required
def console_tenants(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in TenantStatus.values:
        status = ""
    page = Paginator(selectors.tenant_list(search=search, status=status), 25).get_page(
        request.GET.get("page")
    )
    tenants = list(page.object_list)
    counts = selectors.tenant_usage_counts([t.schema_name for t in tenants])
    rows = [{"tenant": t, "counts": counts[t.schema_name]} for t in tenants]
    return render(
        request,
        "console/tenants.html",
        {
            "page": page,
            "rows": rows,
            "q": search,
            "status": status,
            "statuses": TenantStatus.choices,
        },
    )


@require_http_methods(["GET", "POST"])
@operator_required
def console_tenant_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    tenant = selectors.tenant_by_public_id(public_id)
    if tenant is None:
        raise Http404("No such tenant.")
    form = StatusChangeForm(request.POST or None)
    status_code = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.tenant_set_status(
                    actor=request.user,
                    tenant=tenant,
                    status=form.cleaned_data["status"],
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status_code = 400
            else:
                return redirect(request.path)
        else:
            status_code = 400
    counts = selectors.tenant_usage_counts([tenant.schema_name])[tenant.schema_name]
    from audit.selectors import audit_entries

    history = audit_entries(object_type="tenants.tenant", object_id=str(tenant.public_id))[:20]
    return render(
        request,
        "console/tenant_detail.html",
        {
            "tenant": tenant,
            "form": form,
            "counts": counts,
            "history": history,
            "domains": tenant.domains.order_by("-is_primary", "domain"),
        },
        status=status_code,
    )
