"""Back-office pages for API keys (supplier administrators)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from api import selectors, services
from api.forms import ApiKeyForm
from core.errors import DomainError
from sso.decorators import supplier_admin_required


@require_http_methods(["GET", "POST"])
@supplier_admin_required
def api_keys(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    new_key = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = services.api_key_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            status = 400
        else:
            form = ApiKeyForm()
    return render(
        request,
        "backoffice/api_keys.html",
        {
            "form": form,
            "keys": selectors.api_key_list(actor=request.user),
            "new_key": new_key,
        },
        status=status,
    )


@require_POST
@supplier_admin_required
def api_key_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    key = selectors.access_api_key_by_id(request.user, public_id)
    services.api_key_revoke(actor=request.user, key=key)
    return redirect("api-pages:keys")
