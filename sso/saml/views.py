"""SAML pages: the public SP endpoints (discovery, metadata, ACS) and the back-office pages of
connections (supplier administrators)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError
from sso import ratelimit
from sso.decorators import supplier_admin_required
from sso.forms import LoginForm
from sso.saml import protocol, selectors, services
from sso.saml.choices import Audience
from sso.saml.errors import SamlRefused, SamlUnavailable
from sso.saml.forms import ConnectionForm, SsoDiscoveryForm
from sso.saml.models import SamlConnection
from sso.saml.selfcheck import require_saml
from sso.views import STEP_URLS

BOUNCE_FIELD = "portico_bounced"


def portal_url(request: HttpRequest) -> str:
    """The portal's address on its primary domain (never the Host the request came on)."""
    domain = request.tenant.primary_domain  # type: ignore[attr-defined]
    return f"{settings.PORTICO_SCHEME}://{domain}{settings.PORTICO_PORT_SUFFIX}"


def _unavailable(request: HttpRequest, exc: SamlUnavailable) -> HttpResponse:
    return render(request, "saml/error.html", {"message": exc.message}, status=503)


def _safe_next(raw: str) -> str:
    return raw if raw.startswith("/") and not raw.startswith("//") and "\\" not in raw else ""


# --- Public SP endpoints ------------------------------------------------------------------------


@require_POST
def discover(request: HttpRequest) -> HttpResponse:
    """ "Continue with SSO": the e-mail's domain chooses the connection; off to the IdP."""
    form = SsoDiscoveryForm(request.POST, prefix="sso")
    if form.is_valid():
        try:
            url = services.saml_login_start(
                request=request,
                email=form.cleaned_data["email"],
                portal_url=portal_url(request),
                next_url=_safe_next(request.POST.get("next", "")),
            )
        except SamlUnavailable as exc:
            return _unavailable(request, exc)
        except DomainError as exc:
            form.add_error("email", exc.message)
        else:
            return redirect(url)
    return render(
        request,
        "portal/login.html",
        {
            "form": LoginForm(),
            "sso_form": form,
            "next": "",
            "sso_next": _safe_next(request.POST.get("next", "")),
        },
        status=400,
    )


@require_GET
def metadata(request: HttpRequest, public_id: str) -> HttpResponse:
    """This portal's SP metadata for one connection (entity id, ACS URL), for the IdP's admin."""
    connection = selectors.connection_by_public_id(public_id)
    try:
        require_saml()
    except SamlUnavailable as exc:
        return _unavailable(request, exc)
    xml = protocol.sp_metadata(connection, protocol.sp_endpoints(connection, portal_url(request)))
    return HttpResponse(xml, content_type="application/samlmetadata+xml; charset=utf-8")


@csrf_exempt  # the IdP posts here from its own site; InResponseTo binds it to this session
@require_POST
def acs(request: HttpRequest, public_id: str) -> HttpResponse:
    """The assertion consumer service (HTTP-POST binding)."""
    connection = selectors.connection_by_public_id(public_id)
    try:
        require_saml()
    except SamlUnavailable as exc:
        return _unavailable(request, exc)
    encoded = request.POST.get("SAMLResponse", "")
    if settings.SESSION_COOKIE_NAME not in request.COOKIES and BOUNCE_FIELD not in request.POST:
        # A cross-site POST carries no SameSite=Lax cookie: post it again from our own page.
        return render(
            request,
            "saml/bounce.html",
            {
                "saml_response": encoded,
                "relay_state": request.POST.get("RelayState", ""),
                "bounce_field": BOUNCE_FIELD,
            },
        )
    try:
        result = services.saml_acs(
            request=request, connection=connection, portal_url=portal_url(request), encoded=encoded
        )
    except SamlUnavailable as exc:
        return _unavailable(request, exc)
    except ratelimit.RateLimited as exc:
        return render(
            request, "saml/error.html", {"message": exc.message, "code": exc.code}, status=429
        )
    except SamlRefused as exc:
        if exc.test:
            return _test_page(request, connection, error=exc, status=exc.status)
        return render(
            request,
            "saml/error.html",
            {"message": exc.message, "code": exc.code},
            status=exc.status,
        )
    if result.test is not None:
        return _test_page(request, connection, result=result)
    if result.confirm_token:
        page = render(
            request,
            "saml/confirm.html",
            {
                "connection": connection,
                "email": result.confirm_email,
                "token": result.confirm_token,
            },
        )
        patch_cache_control(page, no_store=True)  # it holds this session's one-time token
        return page
    return _continue(result)


def _continue(result: services.AcsResult) -> HttpResponse:
    """After a sign-in began: the second step's page (sso.views.STEP_URLS), else the ``next``
    it came with or the landing page."""
    if result.step in STEP_URLS:
        return redirect(STEP_URLS[result.step])
    if result.next_url:
        return redirect(result.next_url)
    return redirect(
        "/catalogue/" if result.user and result.user.kind == "buyer" else "/backoffice/"
    )


@require_POST  # CSRF-protected: only our own confirmation page can send it
def idp_confirm(request: HttpRequest, public_id: str) -> HttpResponse:
    """ "Continue as …" of an IdP-initiated sign-in: only this POST signs in."""
    connection = selectors.connection_by_public_id(public_id)
    try:
        result = services.saml_idp_confirm(
            request=request, connection=connection, token=request.POST.get("token", "")
        )
    except SamlUnavailable as exc:
        return _unavailable(request, exc)
    except SamlRefused as exc:
        return render(
            request,
            "saml/error.html",
            {"message": exc.message, "code": exc.code},
            status=exc.status,
        )
    return _continue(result)


def _test_page(
    request: HttpRequest,
    connection: SamlConnection,
    *,
    result: services.AcsResult | None = None,
    error: SamlRefused | None = None,
    status: int = 200,
) -> HttpResponse:
    roles = services.roles_for(connection.audience)
    return render(
        request,
        "saml/test_result.html",
        {
            "connection": connection,
            "mapped": result.test if result else None,
            "role_label": roles.get(result.test.role, "") if result and result.test else "",
            "outcome": result.test_outcome if result else "",
            "error": error,
        },
        status=status,
    )


# --- Back office ----------------------------------------------------------------------------------


def _input(form: ConnectionForm) -> services.ConnectionInput:
    data = form.cleaned_data
    return services.ConnectionInput(
        name=data["name"],
        audience=data["audience"],
        company=data.get("company"),
        metadata=data.get("metadata"),
        **{
            name: data[name]
            for name in (
                "idp_entity_id",
                "idp_sso_url",
                "certificates",
                "email_domains",
                "attr_email",
                "attr_first_name",
                "attr_last_name",
                "attr_full_name",
                "attr_role",
                "role_map",
                "default_role",
                "jit_enabled",
                "saml_only",
                "allow_idp_initiated",
                "active",
            )
        },
    )


def _initial(connection: SamlConnection) -> dict[str, Any]:
    return {
        "name": connection.name,
        "audience": connection.audience,
        "company": connection.company.public_id if connection.company else None,
        "idp_entity_id": connection.idp_entity_id,
        "idp_sso_url": connection.idp_sso_url,
        "certificates": connection.certificates,
        "email_domains": " ".join(connection.domains),
        "attr_email": connection.attr_email,
        "attr_first_name": connection.attr_first_name,
        "attr_last_name": connection.attr_last_name,
        "attr_full_name": connection.attr_full_name,
        "attr_role": connection.attr_role,
        "role_map": "\n".join(f"{k} = {v}" for k, v in connection.role_map.items()),
        "default_role": connection.default_role,
        "jit_enabled": connection.jit_enabled,
        "saml_only": connection.saml_only,
        "allow_idp_initiated": connection.allow_idp_initiated,
        "active": connection.active,
    }


def _save(request: HttpRequest, form: ConnectionForm, connection: SamlConnection | None) -> Any:
    """Validate and call the service; the saved connection, or None (errors are on the form)."""
    if not form.is_valid():
        return None
    try:
        if connection is None:
            return services.connection_create(actor=request.user, data=_input(form))
        return services.connection_update(
            actor=request.user, connection=connection, data=_input(form)
        )
    except SamlUnavailable:
        raise
    except DomainError as exc:
        if exc.code == "permission_denied":
            raise
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


@require_GET
@supplier_admin_required
def connection_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "saml/list.html",
        {"connections": selectors.connection_list(actor=request.user)},
    )


@require_http_methods(["GET", "POST"])
@supplier_admin_required
def connection_create(request: HttpRequest) -> HttpResponse:
    form = ConnectionForm(
        request.POST or None,
        request.FILES or None,
        initial={"audience": Audience.COMPANY, "default_role": "buyer", "active": True},
    )
    if request.method == "POST":
        connection = _save(request, form, None)
        if connection is not None:
            messages.success(request, "The connection is saved. Give the IdP this SP metadata.")
            return redirect("saml:detail", public_id=connection.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "saml/form.html", {"form": form, "connection": None}, status=status)


@require_GET
@supplier_admin_required
def connection_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    connection = selectors.access_connection_by_id(request.user, public_id)
    return render(
        request,
        "saml/detail.html",
        {
            "connection": connection,
            "sp": protocol.sp_endpoints(connection, portal_url(request)),
            "certificates": protocol.certificate_summaries(connection.certificates),
            "errors": selectors.recent_errors(connection),
            "roles": services.roles_for(connection.audience),
        },
    )


@require_http_methods(["GET", "POST"])
@supplier_admin_required
def connection_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    connection = selectors.access_connection_by_id(request.user, public_id)
    form = ConnectionForm(request.POST or None, request.FILES or None, initial=_initial(connection))
    form.fields["audience"].disabled = True
    form.fields["company"].disabled = True
    if request.method == "POST":
        saved = _save(request, form, connection)
        if saved is not None:
            messages.success(request, "The connection is saved.")
            return redirect("saml:detail", public_id=connection.public_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "saml/form.html", {"form": form, "connection": connection}, status=status
    )


@require_POST
@supplier_admin_required
def connection_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    connection = selectors.access_connection_by_id(request.user, public_id)
    services.connection_delete(actor=request.user, connection=connection)
    messages.success(request, f"The connection “{connection.name}” is deleted.")
    return redirect("saml:list")


@require_POST
@supplier_admin_required
def connection_test(request: HttpRequest, public_id: str) -> HttpResponse:
    connection = selectors.access_connection_by_id(request.user, public_id)
    try:
        url = services.saml_test_start(
            actor=request.user,
            request=request,
            connection=connection,
            portal_url=portal_url(request),
        )
    except SamlUnavailable as exc:
        return _unavailable(request, exc)
    return redirect(url)
