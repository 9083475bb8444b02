"""Back-office security pages (portal administrators): the security log, a user's sessions
and the reset of their two-factor sign-in."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError, NotFound, PermissionDenied
from sso import access, selectors, services
from sso.account_views import primary_url
from sso.decorators import supplier_admin_required
from sso.forms import SecurityLogFilterForm, TwoFactorResetForm
from sso.selectors import LogFilter, security_log

PAGE_SIZE = 50


def log_filter(form: SecurityLogFilterForm) -> LogFilter:
    """The filter a (bound) filter form asks for; an invalid field filters nothing."""
    if not form.is_bound:
        return LogFilter()
    form.is_valid()  # cleaned_data keeps the fields that are valid
    data = form.cleaned_data
    return LogFilter(
        action=data.get("action") or "",
        email=data.get("email") or "",
        ip=data.get("ip") or "",
        since=data.get("since"),
        until=data.get("until"),
    )


def query_without_page(request: HttpRequest) -> str:
    return urlencode({k: v for k, v in request.GET.items() if k != "page"})


@require_GET
@supplier_admin_required
def security_log_page(request: HttpRequest) -> HttpResponse:
    form = SecurityLogFilterForm(request.GET or None)
    entries = security_log(filters=log_filter(form))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/security_log.html",
        {"form": form, "page": page, "query": query_without_page(request)},
    )


def two_factor_reset_context(
    request: HttpRequest, user: Any, reset_url: str, form: TwoFactorResetForm | None = None
) -> dict[str, Any]:
    """What a sessions page needs for its "Reset two-factor sign-in" form (shown when the user
    has an authenticator and is not the viewer)."""
    return {
        "subject_has_authenticator": user.pk != request.user.pk
        and selectors.confirmed_device(user) is not None,
        "reset_form": form or TwoFactorResetForm(),
        "reset_url": reset_url,
    }


def two_factor_reset_submit(request: HttpRequest, user: Any, form: TwoFactorResetForm) -> bool:
    """Run the reset a sessions page's form asks for; ``True`` when done (with a message). A
    refusal lands on the form's field or in a message; "not found" and "not allowed" raise."""
    if not form.is_valid():
        return False
    try:
        services.totp_reset(
            actor=request.user,
            user=user,
            reason=form.cleaned_data["reason"],
            portal_url=primary_url(request),
        )
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
        else:
            messages.error(request, exc.message)
        return False
    messages.success(
        request,
        f"Two-factor sign-in of {user.email} is reset: their authenticator and backup codes no "
        "longer work, they are signed out everywhere and we e-mailed them.",
    )
    return True


def _user_sessions(
    request: HttpRequest, user: Any, form: TwoFactorResetForm | None = None, status: int = 200
) -> HttpResponse:
    base = f"/backoffice/users/{user.public_id}"
    return render(
        request,
        "backoffice/user_sessions.html",
        {
            "subject": user,
            "user_sessions": list(selectors.member_sessions(actor=request.user, user=user)),
            "end_url": f"{base}/sessions/end/",
            **two_factor_reset_context(request, user, f"{base}/two-factor/reset/", form),
        },
        status=status,
    )


@require_GET
@supplier_admin_required
def user_sessions_page(request: HttpRequest, user_id: str) -> HttpResponse:
    user = access.access_user_by_id(request.user, user_id)
    return _user_sessions(request, user)


@require_POST
@supplier_admin_required
def user_sessions_end(request: HttpRequest, user_id: str) -> HttpResponse:
    user = access.access_user_by_id(request.user, user_id)
    ended = services.member_sessions_end(actor=request.user, user=user)
    messages.success(request, f"{ended} session{'s' if ended != 1 else ''} of {user.email} ended.")
    return redirect(f"/backoffice/users/{user.public_id}/sessions/")


@require_POST
@supplier_admin_required
def user_two_factor_reset(request: HttpRequest, user_id: str) -> HttpResponse:
    user = access.access_user_by_id(request.user, user_id)
    form = TwoFactorResetForm(request.POST)
    if two_factor_reset_submit(request, user, form):
        return redirect(f"/backoffice/users/{user.public_id}/sessions/")
    return _user_sessions(request, user, form, status=400)
