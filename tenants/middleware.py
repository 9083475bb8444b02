"""Routes each request to its tenant's schema; refuses unknown hosts and parked portals."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, JsonResponse
from django.template.loader import render_to_string
from django.urls import set_urlconf

from core.tenancy import db
from tenants import routing


def _unknown_host() -> HttpResponse:
    return HttpResponseNotFound(
        render_to_string("errors/unknown_host.html"), content_type="text/html; charset=utf-8"
    )


def _unavailable(request: HttpRequest, tenant: routing.TenantRef) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": "portal_unavailable",
                "message": f"The {tenant.name} portal is unavailable at the moment.",
            },
            status=503,
        )
    from branding.selectors import theme_for_current_tenant

    body = render_to_string(
        "errors/portal_unavailable.html",
        {"theme": theme_for_current_tenant(), "tenant": tenant},
    )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "3600"
    return response


class TenantRoutingMiddleware:
    """First middleware: chooses the schema and URL conf from the ``Host`` header.

    * unknown or archived host → plain 404 (never the public site, never a default tenant);
    * suspended tenant → branded 503 page (JSON for ``/api/``);
    * control-plane host → public schema and ``PUBLIC_SCHEMA_URLCONF``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            host = request.get_host()
        except DisallowedHost:
            return _unknown_host()
        tenant = routing.resolve(host)
        if tenant is None:
            return _unknown_host()
        request.tenant = tenant  # type: ignore[attr-defined]
        db().set_tenant(tenant)
        if tenant.is_public:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF  # type: ignore[attr-defined]
            set_urlconf(request.urlconf)  # type: ignore[attr-defined]
        elif not tenant.is_serving:
            return _unavailable(request, tenant)
        return self.get_response(request)
