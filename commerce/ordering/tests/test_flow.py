"""The whole life of an order through the services: cart → order → approval → validation →
confirmation (stock reserved) → two shipments → delivered, with the timeline, the audit trail,
the notifications and the e-mails."""

from __future__ import annotations

from decimal import Decimal

from django.core import mail
from django_tenants.utils import schema_context

from audit.models import AuditEntry
from commerce.catalog.models import StockLevel
from commerce.ordering.models import Notification, OrderEvent
from commerce.ordering.selectors import buyer_status
from commerce.ordering.services import (
    order_approve,
    order_confirm,
    order_deliver,
    order_validate,
    shipment_create,
)
from commerce.ordering.tests.conftest import place
from commerce.selectors import portal_today
from outbox.models import OutboxMessage
from outbox.services import outbox_deliver


def test_an_order_goes_from_cart_to_delivered(
    clock, alpha, x, products, staff, carrier, django_capture_on_commit_callbacks
):
    with schema_context(alpha.schema), django_capture_on_commit_callbacks(execute=True):
        x.company.approval_threshold = Decimal("100")
        x.company.save()
        order = place(x, x.buyer, {products["BOLT"]: 20, products["NUT"]: 40}, po_number="PO-77")
        assert order.number == f"{portal_today().year}-000001"  # the supplier's year
        assert (order.process_state, order.total) == ("awaiting_approval", Decimal("300.00"))
        assert buyer_status(order) == "Waiting for your approver"

        order = order_approve(actor=x.approver, order=order, comment="Go ahead")
        assert order.process_state == "received"
        order = order_validate(actor=staff["validator"], order=order)
        assert (order.process_state, order.validation_state) == ("in_validation", "approved")
        order = order_confirm(actor=staff["validator"], order=order)
        assert order.process_state == "confirmed"
        assert StockLevel.objects.get(product=products["BOLT"]).reserved == 20

        first = shipment_create(
            actor=staff["dispatcher"],
            order=order,
            carrier_id=carrier.public_id,
            tracking_number="JD 0001",
            quantities={1: 20},
        )
        assert first.tracking_url == "https://dhl.example/t/JD%200001"
        order.refresh_from_db()
        assert buyer_status(order) == "Partly shipped"
        shipment_create(actor=staff["dispatcher"], order=order, carrier_id=carrier.public_id)
        order = order_deliver(actor=staff["dispatcher"], order=order)
        assert order.process_state == "delivered"
        bolt = StockLevel.objects.get(product=products["BOLT"])
        assert (bolt.on_hand, bolt.reserved) == (80, 0)

        moves = list(OrderEvent.objects.filter(order=order).values_list("axis", "to_state"))
        assert moves == [
            ("process", "awaiting_approval"),
            ("process", "received"),
            ("process", "in_validation"),
            ("validation", "approved"),
            ("process", "confirmed"),
            ("process", "in_dispatch"),
            ("process", "delivered"),
        ]
        assert AuditEntry.objects.filter(object_id=str(order.public_id)).count() == 9
        kinds = list(
            Notification.objects.filter(order=order)
            .order_by("id")
            .values_list("user__email", "kind")
        )
    assert kinds == [
        ("x-buyer@buyer.test", "submitted"),
        ("x-admin@buyer.test", "approval_needed"),
        ("x-approver@buyer.test", "approval_needed"),
        ("x-buyer@buyer.test", "approved"),
        ("x-buyer@buyer.test", "validated"),
        ("x-buyer@buyer.test", "confirmed"),
        ("x-buyer@buyer.test", "dispatched"),
        ("x-buyer@buyer.test", "dispatched"),
        ("x-buyer@buyer.test", "delivered"),
    ]
    with schema_context(alpha.schema):
        for message in OutboxMessage.objects.filter(status="pending"):
            assert outbox_deliver(message_id=message.pk) == "delivered"
    subjects = [m.subject for m in mail.outbox]
    assert f"Order {order.number} is on its way" in subjects
    tracking_mail = next(m for m in mail.outbox if "on its way" in m.subject)
    assert "https://dhl.example/t/JD%200001" in tracking_mail.body
    assert f"http://alpha.portico.localhost:8000/orders/{order.public_id}/" in tracking_mail.body
