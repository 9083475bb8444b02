"""Reads of the customers domain, each in a fixed number of queries whatever the row count."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from audit.models import AuditEntry
from commerce.customers.choices import CompanyStatus
from commerce.customers.models import Company, Invitation, Membership
from commerce.customers.policies import require_membership, require_staff
from commerce.customers.services import CustomerAction
from sso.choices import UserKind

AUDIT_LABELS = dict(CustomerAction.choices)


def company_list(*, actor: Any, search: str = "", status: str = "") -> QuerySet[Company]:
    """The companies staff see in the back office, with their account manager and member
    count (two queries per page: the count and the rows)."""
    require_staff(actor)
    qs = Company.objects.select_related("account_manager").annotate(
        member_count=Count("members", distinct=True)
    )
    search = search.strip()
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(vat_id__icontains=search)
            | Q(billing_city__icontains=search)
            | Q(external_ref__iexact=search)
        )
    if status in CompanyStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("name", "id")


def company_detail(company: Company) -> Company:
    """The company with everything its page shows, prefetched."""
    return (
        Company.objects.select_related("account_manager")
        .prefetch_related("price_lists", "assortment", "addresses", "cost_centres")
        .get(pk=company.pk)
    )


def company_members(*, company: Company) -> QuerySet[Membership]:
    return Membership.objects.filter(company=company).select_related("user").order_by("user__email")


def company_member_user_ids(*, company: Company) -> list[str]:
    """Public ids of the company's members' user accounts (their security log's subjects)."""
    return [
        str(public_id)
        for public_id in Membership.objects.filter(company=company).values_list(
            "user__public_id", flat=True
        )
    ]


def company_pending_invitations(*, company: Company) -> QuerySet[Invitation]:
    """Invitations not yet accepted or withdrawn (expired ones too: they can be sent again)."""
    return (
        Invitation.objects.filter(
            company=company, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("invited_by")
        .order_by("-created_at")
    )


def invitation_is_expired(invitation: Invitation) -> bool:
    return invitation.expires_at <= timezone.now()


def company_audit_trail(*, company: Company, limit: int = 50) -> list[AuditEntry]:
    """The newest audit entries about the company and its addresses, cost centres, members and
    invitations (found through the indexed object ids: a few queries, no JSON scan)."""
    ids = [str(company.public_id)]
    for related in (company.addresses, company.cost_centres, company.members, company.invitations):
        ids += [str(pk) for pk in related.values_list("public_id", flat=True)]
    entries = list(
        AuditEntry.objects.filter(
            object_type__in=[
                "customers.company",
                "customers.deliveryaddress",
                "customers.costcentre",
                "customers.membership",
                "customers.invitation",
            ],
            object_id__in=ids,
        ).order_by("-id")[:limit]
    )
    for entry in entries:
        entry.label = AUDIT_LABELS.get(entry.action, entry.action_label)  # type: ignore[attr-defined]
    return entries


def my_membership(actor: Any) -> Membership:
    """The buyer's membership with their company; "not found" for anyone else."""
    membership = require_membership(actor)
    return Membership.objects.select_related("company", "company__account_manager", "user").get(
        pk=membership.pk
    )


def staff_users() -> QuerySet[Any]:
    """Active supplier staff, for the account-manager choice."""
    return (
        get_user_model()
        .objects.filter(kind=UserKind.STAFF, is_active=True)
        .order_by("full_name", "email")
    )


CSV_HEADER = [
    "public_id",
    "name",
    "vat_id",
    "billing_line1",
    "billing_line2",
    "billing_postcode",
    "billing_city",
    "billing_country",
    "payment_terms",
    "net_days",
    "credit_limit",
    "status",
    "hold_reason",
    "account_manager",
    "members",
]


def _cell(value: Any) -> str:
    """Text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def company_csv(companies: Iterable[Company]) -> Iterator[str]:
    """CSV lines (header first) of a ``company_list`` queryset."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        value = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return value

    writer.writerow(CSV_HEADER)
    yield flush()
    for c in companies:
        manager = c.account_manager.email if c.account_manager else ""
        row = [
            c.public_id,
            c.name,
            c.vat_id,
            c.billing_line1,
            c.billing_line2,
            c.billing_postcode,
            c.billing_city,
            c.billing_country,
            c.payment_terms,
            c.net_days,
            c.credit_limit,
            c.status,
            c.hold_reason,
            manager,
            getattr(c, "member_count", ""),
        ]
        writer.writerow([_cell(v) for v in row])
        yield flush()
