"""Buyer-portal pages: "My company", its addresses, cost centres and team, and accepting an
invitation.

Every member sees their company, its addresses, cost centres and team; only the company's
admins change them (the services refuse anyone else). Ids of another company's rows answer
404, like ids that do not exist. Staff and anonymous visitors have no company here: staff get
404, anonymous visitors the sign-in page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commerce.customers import selectors, services
from commerce.customers.access import (
    access_address_by_id,
    access_cost_centre_by_id,
    access_invitation_by_id,
    access_member_by_id,
)
from commerce.customers.errors import InvitationUnusable
from commerce.customers.forms import (
    AcceptInvitationForm,
    AddressForm,
    CostCentreForm,
    InvitationForm,
    MemberRoleForm,
)
from commerce.customers.models import Membership
from commerce.customers.policies import can_manage_company, require_company_admin
from commerce.customers.views import portal_url, post_action, run_form
from commerce.selectors import portal_settings
from sso.backoffice_views import (
    PAGE_SIZE,
    log_filter,
    query_without_page,
    two_factor_reset_context,
    two_factor_reset_submit,
)
from sso.forms import SecurityLogFilterForm, TwoFactorResetForm
from sso.saml.selectors import company_connection_ids
from sso.selectors import member_sessions as sessions_of
from sso.selectors import security_log as log
from sso.services import member_sessions_end as end_sessions
from sso.services import session_login
from sso.views import STEP_URLS

View = Callable[..., HttpResponse]


def member_required(view: View) -> View:
    """Anonymous → sign-in page; signed in → the view (which 404s without a membership)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect(f"/login/?next={request.path}")
        return view(request, *args, **kwargs)

    return wrapper


def _membership(request: HttpRequest) -> Membership:
    return selectors.my_membership(request.user)


@require_GET
@member_required
def company_home(request: HttpRequest) -> HttpResponse:
    membership = _membership(request)
    company = selectors.company_detail(membership.company)
    return render(
        request,
        "portal/company/detail.html",
        {
            "membership": membership,
            "company": company,
            "addresses": [a for a in company.addresses.all() if a.active],
            "cost_centres": [c for c in company.cost_centres.all() if c.active],
            "currency": portal_settings().currency,
            "can_manage": can_manage_company(request.user, company.pk),
        },
    )


def _form_page(
    request: HttpRequest,
    form: Any,
    action: Callable[[dict[str, Any]], object],
    *,
    title: str,
    back: str,
) -> HttpResponse:
    saved, status = run_form(request, form, action)
    if saved:
        return redirect(back)
    return render(
        request,
        "portal/company/form.html",
        {"form": form, "title": title, "back": back},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@member_required
def address_create(request: HttpRequest) -> HttpResponse:
    company = _membership(request).company
    return _form_page(
        request,
        AddressForm(request.POST or None, initial={"country": company.billing_country}),
        lambda data: services.address_create(actor=request.user, company=company, **data),
        title="New delivery address",
        back="/company/",
    )


@require_http_methods(["GET", "POST"])
@member_required
def address_edit(request: HttpRequest, address_id: str) -> HttpResponse:
    address = access_address_by_id(request.user, address_id)
    initial = {f: getattr(address, f) for f in AddressForm.base_fields}
    return _form_page(
        request,
        AddressForm(request.POST or None, initial=initial),
        lambda data: services.address_update(actor=request.user, address=address, **data),
        title=f"Delivery address “{address.label}”",
        back="/company/",
    )


@require_POST
@member_required
def address_deactivate(request: HttpRequest, address_id: str) -> HttpResponse:
    address = access_address_by_id(request.user, address_id)
    post_action(
        request,
        lambda: services.address_deactivate(actor=request.user, address=address),
        f"“{address.label}” is deactivated.",
    )
    return redirect("/company/")


@require_http_methods(["GET", "POST"])
@member_required
def cost_centre_create(request: HttpRequest) -> HttpResponse:
    company = _membership(request).company
    return _form_page(
        request,
        CostCentreForm(request.POST or None),
        lambda data: services.cost_centre_create(actor=request.user, company=company, **data),
        title="New cost centre",
        back="/company/",
    )


@require_http_methods(["GET", "POST"])
@member_required
def cost_centre_edit(request: HttpRequest, centre_id: str) -> HttpResponse:
    centre = access_cost_centre_by_id(request.user, centre_id)
    return _form_page(
        request,
        CostCentreForm(request.POST or None, initial={"code": centre.code, "name": centre.name}),
        lambda data: services.cost_centre_update(actor=request.user, cost_centre=centre, **data),
        title=f"Cost centre {centre.code}",
        back="/company/",
    )


@require_POST
@member_required
def cost_centre_deactivate(request: HttpRequest, centre_id: str) -> HttpResponse:
    centre = access_cost_centre_by_id(request.user, centre_id)
    post_action(
        request,
        lambda: services.cost_centre_deactivate(actor=request.user, cost_centre=centre),
        f"Cost centre {centre.code} is deactivated.",
    )
    return redirect("/company/")


@require_http_methods(["GET", "POST"])
@member_required
def team(request: HttpRequest) -> HttpResponse:
    """The team, read-only for members; company admins also invite (POST) from here."""
    membership = _membership(request)
    company = membership.company
    form = InvitationForm(request.POST or None)
    saved, status = run_form(
        request,
        form,
        lambda data: services.invitation_create(
            actor=request.user, company=company, portal_url=portal_url(request), **data
        ),
    )
    if saved:
        return redirect("/company/team/")
    can_manage = can_manage_company(request.user, company.pk)
    return render(
        request,
        "portal/company/team.html",
        {
            "membership": membership,
            "company": company,
            "members": selectors.company_members(company=company),
            "invitations": selectors.company_pending_invitations(company=company)
            if can_manage
            else [],
            "form": form,
            "can_manage": can_manage,
            "now": timezone.now(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@member_required
def member_role(request: HttpRequest, member_id: str) -> HttpResponse:
    member = access_member_by_id(request.user, member_id)
    return _form_page(
        request,
        MemberRoleForm(request.POST or None, initial=MemberRoleForm.initial_for(member)),
        lambda data: services.member_change_role(actor=request.user, membership=member, **data),
        title=f"Role of {member.user.full_name or member.user.email}",
        back="/company/team/",
    )


@require_POST
@member_required
def member_deactivate(request: HttpRequest, member_id: str) -> HttpResponse:
    member = access_member_by_id(request.user, member_id)
    post_action(
        request,
        lambda: services.member_deactivate(actor=request.user, membership=member),
        f"{member.user.email} can no longer sign in.",
    )
    return redirect("/company/team/")


@require_POST
@member_required
def invitation_revoke(request: HttpRequest, invitation_id: str) -> HttpResponse:
    invitation = access_invitation_by_id(request.user, invitation_id)
    post_action(
        request,
        lambda: services.invitation_revoke(actor=request.user, invitation=invitation),
        f"The invitation of {invitation.email} is withdrawn.",
    )
    return redirect("/company/team/")


@require_POST
@member_required
def invitation_resend(request: HttpRequest, invitation_id: str) -> HttpResponse:
    invitation = access_invitation_by_id(request.user, invitation_id)
    post_action(
        request,
        lambda: services.invitation_resend(
            actor=request.user, invitation=invitation, portal_url=portal_url(request)
        ),
        f"The invitation is sent again to {invitation.email}.",
    )
    return redirect("/company/team/")


def _unusable(request: HttpRequest, exc: InvitationUnusable) -> HttpResponse:
    status = 404 if exc.code == "invitation_unknown" else 410
    return render(request, "portal/company/invitation_invalid.html", {"error": exc}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public (within the portal): the invitee names themselves and sets a password."""
    try:
        invitation = services.invitation_usable(token)
    except InvitationUnusable as exc:
        response = _unusable(request, exc)
    else:
        form = AcceptInvitationForm(request.POST or None)
        saved, status = run_form(
            request, form, lambda data: services.invitation_accept(token=token, **data)
        )
        if saved:
            step = session_login(
                request=request,
                email=invitation.email,
                password=form.cleaned_data["password"],
                next_url="/catalogue/",
            )
            response = redirect(STEP_URLS.get(step) or "/catalogue/")
        else:
            response = render(
                request,
                "portal/company/invitation.html",
                {"form": form, "invitation": invitation},
                status=status,
            )
    # The token in the URL must not leak to other sites. Not "no-referrer": with it browsers
    # send "Origin: null" on the form's POST, which Django's CSRF check refuses (403).
    response["Referrer-Policy"] = "same-origin"
    return response


# --- Sign-in security of the team (company admins) --------------------------------------------


@require_GET
@member_required
def security_log(request: HttpRequest) -> HttpResponse:
    """Sign-in and security events of the company's own members (company admins only)."""
    membership = require_company_admin(request.user)
    form = SecurityLogFilterForm(request.GET or None)
    subjects = selectors.company_member_user_ids(company=membership.company)
    entries = log(
        filters=log_filter(form),
        subjects=subjects,
        connections=company_connection_ids(membership.company),
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/company/security_log.html",
        {"form": form, "page": page, "query": query_without_page(request)},
    )


def _member_user(request: HttpRequest, member_id: str) -> Any:
    """Another company's member is "not found"; a member who is no admin is refused."""
    member = access_member_by_id(request.user, member_id)
    require_company_admin(request.user)
    return member.user


def _member_sessions(
    request: HttpRequest,
    member_id: str,
    user: Any,
    form: TwoFactorResetForm | None = None,
    status: int = 200,
) -> HttpResponse:
    base = f"/company/team/{member_id}"
    return render(
        request,
        "portal/company/member_sessions.html",
        {
            "subject": user,
            "user_sessions": list(sessions_of(actor=request.user, user=user)),
            "end_url": f"{base}/sessions/end/",
            **two_factor_reset_context(request, user, f"{base}/two-factor/reset/", form),
        },
        status=status,
    )


@require_GET
@member_required
def member_sessions(request: HttpRequest, member_id: str) -> HttpResponse:
    return _member_sessions(request, member_id, _member_user(request, member_id))


@require_POST
@member_required
def member_sessions_end(request: HttpRequest, member_id: str) -> HttpResponse:
    user = _member_user(request, member_id)
    ended = end_sessions(actor=request.user, user=user)
    messages.success(request, f"{ended} session{'s' if ended != 1 else ''} of {user.email} ended.")
    return redirect(f"/company/team/{member_id}/sessions/")


@require_POST
@member_required
def member_two_factor_reset(request: HttpRequest, member_id: str) -> HttpResponse:
    """Reset a member's two-factor sign-in (their company's admins; see
    ``sso.services.twofactor``)."""
    user = _member_user(request, member_id)
    form = TwoFactorResetForm(request.POST)
    if two_factor_reset_submit(request, user, form):
        return redirect(f"/company/team/{member_id}/sessions/")
    return _member_sessions(request, member_id, user, form, status=400)
