"""Telling people about their orders: an in-app notification and a themed e-mail (through the
outbox, so it leaves only if the change commits) per recipient and event."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from commerce.customers.choices import MemberRole
from commerce.ordering.choices import NotificationKind
from commerce.ordering.models import Notification, Order
from commerce.ordering.policies import within_limit
from core.money import format_money
from outbox.services import outbox_enqueue
from sso.models import User

TITLES: dict[str, str] = {
    NotificationKind.SUBMITTED: "Order {number} submitted",
    NotificationKind.APPROVAL_NEEDED: "Order {number} needs your approval",
    NotificationKind.APPROVED: "Order {number} approved",
    NotificationKind.APPROVAL_REJECTED: "Order {number} rejected by your approver",
    NotificationKind.VALIDATED: "Order {number} accepted by {supplier}",
    NotificationKind.VALIDATION_REJECTED: "Order {number} rejected by {supplier}",
    NotificationKind.CONFIRMED: "Order {number} confirmed",
    NotificationKind.DISPATCHED: "Order {number} is on its way",
    NotificationKind.DELIVERED: "Order {number} delivered",
    NotificationKind.CANCELLED: "Order {number} cancelled",
}


def order_path(order: Order) -> str:
    return f"/orders/{order.public_id}/"


def notify(
    order: Order,
    kind: str,
    recipients: Iterable[User],
    *,
    body: str = "",
    tracking_url: str = "",
    supplier: str = "",
) -> list[Notification]:
    """One in-app notification and one e-mail per active recipient (each once)."""
    people = list({u.pk: u for u in recipients if u.is_active}.values())
    title = TITLES[kind].format(number=order.number, supplier=supplier or "the supplier")
    made = Notification.objects.bulk_create(
        [
            Notification(
                user=user, kind=kind, order=order, title=title, body=body, link=order_path(order)
            )
            for user in people
        ]
    )
    for user in people:
        outbox_enqueue(
            kind="email",
            payload={
                "template": "order_event",
                "to": [user.email],
                "subject": title,
                "context": {
                    "name": user.full_name,
                    "title": title,
                    "body": body,
                    "number": order.number,
                    "po_number": order.po_number,
                    "total": format_money(order.total, order.currency),
                    "path": order_path(order),
                    "tracking_url": tracking_url,
                },
            },
        )
    return made


def approvers_for(order: Order) -> list[User]:
    """Active members who may decide ``order``: approvers within their limit and company
    admins, never the person who placed it."""
    from commerce.customers.models import Membership

    members = Membership.objects.filter(
        company_id=order.company_id,
        role__in=[MemberRole.APPROVER, MemberRole.COMPANY_ADMIN],
        user__is_active=True,
    ).exclude(user_id=order.placed_by_id)
    return [
        m.user
        for m in members.select_related("user").order_by("user__email")
        if within_limit(m, order.total)
    ]


def tell_buyer(order: Order, kind: str, *, actor: Any = None, **extra: Any) -> None:
    notify(order, kind, [order.placed_by], **extra)
