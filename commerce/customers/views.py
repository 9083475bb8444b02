"""Back-office pages for customer companies (supplier staff: every role looks, administrators
and account managers change)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commerce.customers import selectors, services
from commerce.customers.access import (
    access_address_by_id,
    access_company_by_id,
    access_cost_centre_by_id,
    access_invitation_by_id,
    access_member_by_id,
)
from commerce.customers.choices import CompanyStatus
from commerce.customers.errors import CustomerInvalid
from commerce.customers.forms import (
    AddressForm,
    CompanyForm,
    CostCentreForm,
    InvitationForm,
    MemberRoleForm,
)
from commerce.customers.models import Company
from commerce.customers.policies import can_edit_customers, require_customer_editor
from core.errors import DomainError, NotFound, PermissionDenied
from sso.decorators import staff_required

PAGE_SIZE = 25


def portal_url(request: HttpRequest) -> str:
    """The portal's address on its primary domain (never the Host the request came on)."""
    domain = request.tenant.primary_domain  # type: ignore[attr-defined]
    return f"{settings.PORTICO_SCHEME}://{domain}{settings.PORTICO_PORT_SUFFIX}"


def apply_error(form: forms.Form, exc: DomainError) -> None:
    """Show a domain error next to its field (or above the form)."""
    problems: list[DomainError] = list(exc.problems) if isinstance(exc, CustomerInvalid) else [exc]
    for problem in problems:
        form.add_error(problem.field if problem.field in form.fields else None, problem.message)


def run_form(
    request: HttpRequest, form: forms.Form, action: Callable[[dict[str, Any]], object]
) -> tuple[bool, int]:
    """Validate a bound form and call the service; (saved, HTTP status)."""
    if request.method != "POST":
        return False, 200
    if not form.is_valid():
        return False, 400
    try:
        action(form.cleaned_data)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        apply_error(form, exc)
        return False, 400
    return True, 200


def _company_url(company: Company) -> str:
    return f"/backoffice/companies/{company.public_id}/"


@require_GET
@staff_required
def company_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")
    status = request.GET.get("status", "")
    companies = selectors.company_list(actor=request.user, search=search, status=status)
    page = Paginator(companies, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/companies/list.html",
        {
            "page": page,
            "search": search,
            "status": status,
            "statuses": CompanyStatus.choices,
            "query": urlencode({"q": search, "status": status}),
            "can_edit": can_edit_customers(request.user),
        },
    )


@require_GET
@staff_required
def company_export(request: HttpRequest) -> HttpResponse:
    companies = selectors.company_list(
        actor=request.user,
        search=request.GET.get("q", ""),
        status=request.GET.get("status", ""),
    )
    response = HttpResponse(
        selectors.company_csv(companies.iterator(chunk_size=500)), content_type="text/csv"
    )
    response["Content-Disposition"] = 'attachment; filename="companies.csv"'
    return response


def _company_input(data: dict[str, Any]) -> services.CompanyInput:
    return services.CompanyInput(**{**data, "price_lists": list(data["price_lists"])})


@require_http_methods(["GET", "POST"])
@staff_required
def company_create(request: HttpRequest) -> HttpResponse:
    require_customer_editor(request.user)
    form = CompanyForm(request.POST or None)
    created: list[Company] = []
    saved, status = run_form(
        request,
        form,
        lambda data: created.append(
            services.company_create(actor=request.user, data=_company_input(data))
        ),
    )
    if saved:
        messages.success(request, f"{created[0].name} is created. Now invite its buyers.")
        return redirect(_company_url(created[0]))
    return render(
        request,
        "backoffice/companies/company_form.html",
        {"form": form, "company": None},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def company_edit(request: HttpRequest, company_id: str) -> HttpResponse:
    company = selectors.company_detail(access_company_by_id(request.user, company_id))
    require_customer_editor(request.user)
    form = CompanyForm(request.POST or None, initial=CompanyForm.initial_for(company))
    saved, status = run_form(
        request,
        form,
        lambda data: services.company_update(
            actor=request.user, company=company, data=_company_input(data)
        ),
    )
    if saved:
        messages.success(request, "The company is saved.")
        return redirect(_company_url(company))
    return render(
        request,
        "backoffice/companies/company_form.html",
        {"form": form, "company": company},
        status=status,
    )


@require_GET
@staff_required
def company_page(request: HttpRequest, company_id: str) -> HttpResponse:
    company = selectors.company_detail(access_company_by_id(request.user, company_id))
    return render(
        request,
        "backoffice/companies/detail.html",
        {
            "company": company,
            "members": selectors.company_members(company=company),
            "invitations": selectors.company_pending_invitations(company=company),
            "audit": selectors.company_audit_trail(company=company),
            "can_edit": can_edit_customers(request.user),
            "invite_form": InvitationForm(),
            "now": timezone.now(),
        },
    )


def _simple_form(
    request: HttpRequest,
    company: Company,
    form: forms.Form,
    action: Callable[[dict[str, Any]], object],
    *,
    title: str,
    done: str,
    submit: str = "Save",
) -> HttpResponse:
    saved, status = run_form(request, form, action)
    if saved:
        messages.success(request, done)
        return redirect(_company_url(company))
    return render(
        request,
        "backoffice/companies/simple_form.html",
        {"form": form, "company": company, "title": title, "submit": submit},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_required
def address_create(request: HttpRequest, company_id: str) -> HttpResponse:
    company = access_company_by_id(request.user, company_id)
    require_customer_editor(request.user)
    return _simple_form(
        request,
        company,
        AddressForm(request.POST or None, initial={"country": company.billing_country}),
        lambda data: services.address_create(actor=request.user, company=company, **data),
        title="New delivery address",
        done="The delivery address is added.",
    )


@require_http_methods(["GET", "POST"])
@staff_required
def address_edit(request: HttpRequest, company_id: str, address_id: str) -> HttpResponse:
    company = access_company_by_id(request.user, company_id)
    address = access_address_by_id(request.user, address_id, company=company)
    require_customer_editor(request.user)
    initial = {f: getattr(address, f) for f in AddressForm.base_fields}
    return _simple_form(
        request,
        company,
        AddressForm(request.POST or None, initial=initial),
        lambda data: services.address_update(actor=request.user, address=address, **data),
        title=f"Delivery address “{address.label}”",
        done="The delivery address is saved.",
    )


@require_POST
@staff_required
def address_deactivate(request: HttpRequest, company_id: str, address_id: str) -> HttpResponse:
    company = access_company_by_id(request.user, company_id)
    address = access_address_by_id(request.user, address_id, company=company)
    services.address_deactivate(actor=request.user, address=address)
    messages.success(request, f"“{address.label}” is deactivated.")
    return redirect(_company_url(company))


@require_http_methods(["GET", "POST"])
@staff_required
def cost_centre_create(request: HttpRequest, company_id: str) -> HttpResponse:
    company = access_company_by_id(request.user, company_id)
    require_customer_editor(request.user)
    return _simple_form(
        request,
        company,
        CostCentreForm(request.POST or None),
        lambda data: services.cost_centre_create(actor=request.user, company=company, **data),
        title="New cost centre",
        done="The cost centre is added.",
    )


@require_http_methods(["GET", "POST"])
@staff_required
def cost_centre_edit(request: HttpRequest, company_id: str, centre_id: str) -> HttpResponse:
    company = access_company_by_id(request.user, company_id)
    centre = access_cost_centre_by_id(request.user, centre_id, company=company)
    require_customer_editor(request.user)
    return _simple_form(
        request,
        company,
        CostCentreForm(request.POST or None, initial={"code": centre.code, "name": centre.name}),
        lambda data: services.cost_centre_update(actor=request.user, cost_centre=centre, **data),
        title=f"Cost centre {centre.code}",
        done="The cost centre is saved.",
    )


@require_POST
@staff_required
def cost_centre_deactivate(request: HttpRequest, company_id: str, centre_id: str) -> HttpResponse:
    company = access_company_by_id(request.user, company_id)
    centre = access_cost_centre_by_id(request.user, centre_id, company=company)
    services.cost_centre_deactivate(actor=request.user, cost_centre=centre)
    messages.success(request, f"Cost centre {centre.code} is deactivated.")
    return redirect(_company_url(company))


@require_http_methods(["GET", "POST"])
@staff_required
def member_invite(request: HttpRequest, company_id: str) -> HttpResponse:
    company = access_company_by_id(request.user, company_id)
    require_customer_editor(request.user)
    return _simple_form(
        request,
        company,
        InvitationForm(request.POST or None),
        lambda data: services.invitation_create(
            actor=request.user, company=company, portal_url=portal_url(request), **data
        ),
        title=f"Invite someone to {company.name}",
        done="The invitation is on its way.",
        submit="Send invitation",
    )


@require_http_methods(["GET", "POST"])
@staff_required
def member_role(request: HttpRequest, company_id: str, member_id: str) -> HttpResponse:
    company = access_company_by_id(request.user, company_id)
    member = access_member_by_id(request.user, member_id, company=company)
    require_customer_editor(request.user)
    return _simple_form(
        request,
        company,
        MemberRoleForm(request.POST or None, initial=MemberRoleForm.initial_for(member)),
        lambda data: services.member_change_role(actor=request.user, membership=member, **data),
        title=f"Role of {member.user.email}",
        done=f"{member.user.email}'s role is saved.",
    )


def post_action(request: HttpRequest, action: Callable[[], object], done: str) -> None:
    """Run a one-button action; a rule it breaks is shown as a message, not an error page."""
    try:
        action()
    except DomainError as exc:
        if isinstance(exc, NotFound | PermissionDenied):
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, done)


@require_POST
@staff_required
def member_deactivate(request: HttpRequest, company_id: str, member_id: str) -> HttpResponse:
    company = access_company_by_id(request.user, company_id)
    member = access_member_by_id(request.user, member_id, company=company)
    post_action(
        request,
        lambda: services.member_deactivate(actor=request.user, membership=member),
        f"{member.user.email} can no longer sign in.",
    )
    return redirect(_company_url(company))


@require_POST
@staff_required
def invitation_revoke(request: HttpRequest, company_id: str, invitation_id: str) -> HttpResponse:
    company = access_company_by_id(request.user, company_id)
    invitation = access_invitation_by_id(request.user, invitation_id, company=company)
    post_action(
        request,
        lambda: services.invitation_revoke(actor=request.user, invitation=invitation),
        f"The invitation of {invitation.email} is withdrawn.",
    )
    return redirect(_company_url(company))


@require_POST
@staff_required
def invitation_resend(request: HttpRequest, company_id: str, invitation_id: str) -> HttpResponse:
    company = access_company_by_id(request.user, company_id)
    invitation = access_invitation_by_id(request.user, invitation_id, company=company)
    post_action(
        request,
        lambda: services.invitation_resend(
            actor=request.user, invitation=invitation, portal_url=portal_url(request)
        ),
        f"The invitation is sent again to {invitation.email}.",
    )
    return redirect(_company_url(company))
