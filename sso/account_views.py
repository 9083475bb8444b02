"""Account security pages, on every host (operators on the control plane, staff and buyers on
their portal): the second sign-in step, TOTP set-up and removal, backup codes, sessions,
password reset."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from sso import access, selectors, services
from sso.decorators import signed_in_required
from sso.forms import (
    CodeForm,
    ConfirmCodeForm,
    CurrentCodeForm,
    NewPasswordForm,
    PasswordConfirmForm,
    ResetRequestForm,
)
from sso.ratelimit import RateLimited
from sso.services.login import ENROL, OTP
from sso.views import _home_for


def base_template(request: HttpRequest) -> str:
    """The frame of an account page: the console's, the back office's or the buyer portal's."""
    if request.tenant.is_public:  # type: ignore[attr-defined]
        return "console/base.html"
    kind = getattr(request.user, "kind", "") if request.user.is_authenticated else ""
    return {"staff": "backoffice/base.html", "buyer": "portal/base.html"}.get(kind, "base.html")


def primary_url(request: HttpRequest) -> str:
    """This host's tenant on its primary domain (links in e-mails never use the Host)."""
    domain = request.tenant.primary_domain  # type: ignore[attr-defined]
    return f"{settings.PORTICO_SCHEME}://{domain}{settings.PORTICO_PORT_SUFFIX}"


def _page(request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
    return render(
        request, template, {"base_template": base_template(request), **context}, status=status
    )


def _status(exc: DomainError) -> int:
    return 429 if isinstance(exc, RateLimited) else 400


# --- The second step of a sign-in ---------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login_verify(request: HttpRequest) -> HttpResponse:
    waiting = services.pending(request, step=OTP)
    if waiting is None:
        return redirect("sso:login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.login_second_factor(request=request, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code" if exc.field == "code" else None, exc.message)
            status = _status(exc)
        else:
            return redirect(waiting.next_url or _home_for(request))
    elif request.method == "POST":
        status = 400
    return _page(request, "account/verify.html", status, form=form, email=waiting.user.email)


# --- TOTP set-up -------------------------------------------------------------------------------


def _enrolling_user(request: HttpRequest) -> tuple[Any, services.Pending | None]:
    if request.user.is_authenticated:
        return request.user, None
    waiting = services.pending(request, step=ENROL)
    return (waiting.user if waiting else None), waiting


def _issuer(request: HttpRequest) -> str:
    return "Portico" if request.tenant.is_public else str(request.tenant.name)  # type: ignore[attr-defined]


SETUP_DEVICE_KEY = "_totp_setup_device"


@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Guided set-up: scan the QR code (or type the secret), confirm with a first code, note
    the backup codes. Reached signed in, or half-way through a sign-in that requires it."""
    user, waiting = _enrolling_user(request)
    if user is None:
        return redirect("/login/?next=/account/two-factor/setup/")
    form = ConfirmCodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.totp_enrolment_confirm(
                user=user,
                code=form.cleaned_data["code"],
                device_id=request.session.get(SETUP_DEVICE_KEY),
            )
        except DomainError as exc:
            form.add_error("code" if exc.field == "code" else None, exc.message)
            status = _status(exc)
        else:
            next_url = "/account/security/"
            if waiting is not None:
                services.login_complete(
                    request=request,
                    user=user,
                    method="otp",
                    device=selectors.confirmed_device(user),
                    details=waiting.details,
                )
                next_url = waiting.next_url or _home_for(request)
            return _page(request, "account/backup_codes.html", codes=codes, next_url=next_url)
    elif request.method == "POST":
        status = 400
    try:
        enrolment = services.totp_enrolment_start(
            user=user, issuer=_issuer(request), device_id=request.session.get(SETUP_DEVICE_KEY)
        )
    except DomainError as exc:
        messages.info(request, exc.message)
        return redirect("/account/security/" if waiting is None else "/login/")
    request.session[SETUP_DEVICE_KEY] = enrolment.device.pk  # this set-up's secret
    return _page(
        request,
        "account/setup.html",
        status,
        form=form,
        enrolment=enrolment,
        required=waiting is not None,
    )


@require_http_methods(["GET"])
@signed_in_required
def security(request: HttpRequest) -> HttpResponse:
    user: Any = request.user  # signed in (the decorator)
    current = services.current_key_hash(request)
    return _page(
        request,
        "account/security.html",
        device=selectors.confirmed_device(user),
        policy=selectors.policy_for(user),
        codes_left=selectors.backup_codes_left(user),
        user_sessions=list(selectors.user_sessions(user=user)),
        current=current,
        remove_form=PasswordConfirmForm(),
        codes_form=CurrentCodeForm(),
        has_password=user.has_usable_password(),
    )


@require_POST
@signed_in_required
def backup_codes_regenerate(request: HttpRequest) -> HttpResponse:
    form = CurrentCodeForm(request.POST)
    code = form.cleaned_data["code"] if form.is_valid() else ""
    try:
        codes = services.backup_codes_regenerate(actor=request.user, code=code)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("/account/security/")
    return _page(request, "account/backup_codes.html", codes=codes, next_url="/account/security/")


@require_POST
@signed_in_required
def two_factor_remove(request: HttpRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.totp_remove(actor=request.user, password=form.cleaned_data["password"])
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("/account/security/")
        messages.success(request, "Two-factor sign-in is removed.")
    return redirect("/account/security/")


# --- Sessions ------------------------------------------------------------------------------


@require_POST
@signed_in_required
def session_end(request: HttpRequest, session_id: str) -> HttpResponse:
    record = access.access_own_session_by_id(request.user, session_id)
    if record.key_hash == services.current_key_hash(request):
        services.session_logout(request=request)  # ending this very session is signing out
        return redirect("sso:login")
    services.user_session_end(actor=request.user, record=record, reason="ended_by_user")
    messages.success(request, "That session is ended.")
    return redirect("/account/security/")


@require_POST
@signed_in_required
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    ended = services.user_sessions_end_others(request=request)
    messages.success(request, f"{ended} other session{'s' if ended != 1 else ''} ended.")
    return redirect("/account/security/")


# --- Password reset ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def reset_request(request: HttpRequest) -> HttpResponse:
    form = ResetRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_request(
                email=form.cleaned_data["email"], portal_url=primary_url(request)
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = _status(exc)
        else:
            return _page(request, "account/reset_sent.html", email=form.cleaned_data["email"])
    elif request.method == "POST":
        status = 400
    return _page(request, "account/reset_request.html", status, form=form)


@require_http_methods(["GET", "POST"])
def reset_confirm(request: HttpRequest, user_id: str, token: str) -> HttpResponse:
    try:
        selectors.reset_link_user(user_id, token)
    except DomainError as exc:
        response = _page(request, "account/reset_invalid.html", 400, message=exc.message)
    else:
        form = NewPasswordForm(request.POST or None)
        status = 200 if request.method == "GET" else 400
        if request.method == "POST" and form.is_valid():
            try:
                services.password_reset_complete(
                    public_id=user_id, token=token, password=form.cleaned_data["password"]
                )
            except DomainError as exc:
                form.add_error("password" if exc.field == "password" else None, exc.message)
            else:
                messages.success(request, "Your password is changed. Sign in with it now.")
                return redirect("sso:login")
        response = _page(request, "account/reset_confirm.html", status, form=form)
    response["Referrer-Policy"] = "same-origin"  # the token must not leak to other sites
    return response
