"""Telling people about their orders: an in-app notification and a themed e-mail (through the
outbox, so it leaves only if the change commits) per recipient and event."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from commerce.ordering.choices import NotificationKind
from commerce.ordering.models import Notification, Order
from commerce.ordering.selectors import eligible_approvers
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
    """Who is asked to decide ``order`` (see ``selectors.eligible_approvers``)."""
    return eligible_approvers(order.company_id, order.total, exclude_user_id=order.placed_by_id)


def tell_buyer(order: Order, kind: str, *, actor: Any = None, **extra: Any) -> None:
    notify(order, kind, [order.placed_by], **extra)
