"""Back-office security pages (portal administrators): the security log and a user's
sessions."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from sso import sessions
from sso.decorators import supplier_admin_required
from sso.forms import SecurityLogFilterForm
from sso.security_log import LogFilter, security_log

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


@require_GET
@supplier_admin_required
def user_sessions_page(request: HttpRequest, user_id: str) -> HttpResponse:
    user = sessions.access_user_by_id(request.user, user_id)
    return render(
        request,
        "backoffice/user_sessions.html",
        {
            "subject": user,
            "user_sessions": list(sessions.member_sessions(actor=request.user, user=user)),
            "end_url": f"/backoffice/users/{user.public_id}/sessions/end/",
        },
    )


@require_POST
@supplier_admin_required
def user_sessions_end(request: HttpRequest, user_id: str) -> HttpResponse:
    user = sessions.access_user_by_id(request.user, user_id)
    ended = sessions.member_sessions_end(actor=request.user, user=user)
    messages.success(request, f"{ended} session{'s' if ended != 1 else ''} of {user.email} ended.")
    return redirect(f"/backoffice/users/{user.public_id}/sessions/")
