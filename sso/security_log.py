"""Reading sign-in and security events from the audit log (the security log pages)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.choices import AuditAction
from audit.models import AuditEntry

SECURITY_ACTIONS = [(a.value, a.label) for a in AuditAction if a.value.startswith("auth.")]


@dataclass(frozen=True)
class LogFilter:
    """What the page's filter form asks for; empty values filter nothing."""

    action: str = ""
    email: str = ""
    ip: str = ""
    since: date | None = None
    until: date | None = None


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def security_log(
    *,
    filters: LogFilter,
    subjects: Iterable[str] | None = None,
    connections: Iterable[str] = (),
) -> QuerySet[AuditEntry]:
    """Security events of this portal, newest first. ``subjects`` (user public ids) limits them
    to events about those users (a company admin's own members), plus events about the SAML
    ``connections`` given (public ids: the company's own; a refused SSO sign-in names the
    connection, not a user)."""
    qs = AuditEntry.objects.filter(action__startswith="auth.")
    if subjects is not None:
        about = Q(object_type="sso.user", object_id__in=list(subjects))
        saml = list(connections)
        if saml:
            about |= Q(object_type="saml.samlconnection", object_id__in=saml)
        qs = qs.filter(about)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.email:
        qs = qs.filter(actor_label__icontains=filters.email.strip())
    if filters.ip:
        qs = qs.filter(ip=filters.ip.strip())
    if filters.since:
        qs = qs.filter(created_at__gte=_start_of(filters.since))
    if filters.until:
        qs = qs.filter(created_at__lt=_start_of(filters.until + timedelta(days=1)))
    return qs.order_by("-id")
