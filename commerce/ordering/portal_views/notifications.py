"""The user's in-app notifications: the inbox, opening one (read, then on to its order) and
marking everything read. Reading is a POST: a GET never changes anything."""

from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from commerce.customers.models import Membership
from commerce.ordering.portal_views.common import buyer_page, done, page_query
from commerce.ordering.selectors import portal as selectors
from commerce.ordering.services.inbox import notification_open, notifications_mark_all_read

PAGE_SIZE = 30
INBOX = "/notifications/"


@require_GET
@buyer_page
def notifications(request: HttpRequest, membership: Membership) -> HttpResponse:
    page = Paginator(selectors.my_notifications(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/ordering/notifications.html",
        {"page": page, "query": page_query(request)},
    )


def _local(link: str) -> bool:
    return link.startswith("/") and not link.startswith(("//", "/\\"))


@require_POST
@buyer_page
def notification_read(
    request: HttpRequest, membership: Membership, notification_id: uuid.UUID
) -> HttpResponse:
    found = notification_open(actor=request.user, public_id=notification_id)
    return redirect(found.link if _local(found.link) else INBOX)


@require_POST
@buyer_page
def notifications_read_all(request: HttpRequest, membership: Membership) -> HttpResponse:
    count = notifications_mark_all_read(actor=request.user)
    if not count:
        return done(request, "Nothing was unread.", INBOX)
    return done(request, f"{count} notification{'s' if count != 1 else ''} marked read.", INBOX)
