"""An order and a shipment as the order endpoints answer them (nested pieces and the data
builders; each endpoint subclasses the body into its own top-level serializer)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.v1.customers import BillingAddressOutput
from api.v1.ordering.common import MoneyOutput, money, unit_money
from commerce.ordering.choices import PaymentState, ProcessState, ValidationState
from commerce.ordering.models import Order
from commerce.ordering.selectors.api import OrderDetail


class CompanyRefOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class PersonOutput(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()


class DeliveryAddressOutput(serializers.Serializer):
    label = serializers.CharField(allow_blank=True)  # type: ignore[assignment]
    line1 = serializers.CharField()
    line2 = serializers.CharField(allow_blank=True)
    postcode = serializers.CharField()
    city = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166 alpha-2")


class OrderLineOutput(serializers.Serializer):
    position = serializers.IntegerField(help_text="1, 2, …: how shipments and reorders name it.")
    product_id = serializers.UUIDField(source="product.public_id")
    sku = serializers.CharField(help_text="As ordered (a copy).")
    name = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.IntegerField()
    quantity_shipped = serializers.IntegerField()
    quantity_open = serializers.IntegerField(help_text="Still to ship.")
    unit_price = MoneyOutput()
    price_reason = serializers.CharField(allow_blank=True)
    line_total = MoneyOutput()


class TimelineEntryOutput(serializers.Serializer):
    at = serializers.DateTimeField()
    axis = serializers.ChoiceField(choices=["process", "validation", "payment", "shipment"])
    title = serializers.CharField(help_text="E.g. “Confirmed”, “Shipped with DHL, tracking …”.")
    actor = serializers.CharField(allow_blank=True)
    comment = serializers.CharField(allow_blank=True)
    link = serializers.CharField(allow_blank=True, help_text="The tracking link of a shipment.")


class ShipmentLineOutput(serializers.Serializer):
    position = serializers.IntegerField(source="line.position")
    sku = serializers.CharField(source="line.sku")
    quantity = serializers.IntegerField()


class ShipmentBody(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    carrier = serializers.CharField(source="carrier_name")
    tracking_number = serializers.CharField(allow_blank=True)
    tracking_url = serializers.CharField(allow_blank=True, help_text="The carrier's tracking page.")
    shipped_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    lines = ShipmentLineOutput(many=True)


class ShipmentOutput(ShipmentBody):
    pass


class OrderBody(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    number = serializers.CharField()
    company = CompanyRefOutput()
    placed_by = PersonOutput()
    process_state = serializers.ChoiceField(choices=ProcessState.choices)
    validation_state = serializers.ChoiceField(choices=ValidationState.choices)
    payment_state = serializers.ChoiceField(choices=PaymentState.choices)
    buyer_status = serializers.CharField(help_text="The three states in one line, for buyers.")
    subtotal = MoneyOutput()
    total = MoneyOutput()
    amount_paid = MoneyOutput()
    amount_due = MoneyOutput()
    po_number = serializers.CharField(allow_blank=True)
    cost_centre = serializers.CharField(source="cost_centre_code", allow_blank=True)
    delivery_address = DeliveryAddressOutput(help_text="As it was when the order was placed.")
    billing_address = BillingAddressOutput(help_text="The company's billing address.")
    requested_delivery_date = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    payment_terms = serializers.CharField(help_text="prepayment, card or net")
    net_days = serializers.IntegerField(allow_null=True)
    approval_reason = serializers.CharField(allow_blank=True, help_text="Why it needed approval.")
    decision_comment = serializers.CharField(allow_blank=True, help_text="The approver's words.")
    rejection_reason = serializers.CharField(allow_blank=True, help_text="The supplier's reason.")
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    lines = OrderLineOutput(many=True)
    shipments = ShipmentOutput(many=True)
    timeline = TimelineEntryOutput(many=True, help_text="Every move and shipment, oldest first.")


def _line_data(line: Any, currency: str) -> dict[str, Any]:
    return {
        "position": line.position,
        "product": line.product,
        "sku": line.sku,
        "name": line.name,
        "unit": line.unit,
        "quantity": line.quantity,
        "quantity_shipped": line.quantity_shipped,
        "quantity_open": line.quantity_open,
        "unit_price": unit_money(line.unit_price, currency),
        "price_reason": line.price_reason,
        "line_total": money(line.line_total, currency),
    }


def order_data(detail: OrderDetail) -> dict[str, Any]:
    order: Order = detail.order
    cur = order.currency
    return {
        "public_id": order.public_id,
        "number": order.number,
        "company": order.company,
        "placed_by": order.placed_by,
        "process_state": order.process_state,
        "validation_state": order.validation_state,
        "payment_state": order.payment_state,
        "buyer_status": detail.buyer_status,
        "subtotal": money(order.subtotal, cur),
        "total": money(order.total, cur),
        "amount_paid": money(order.amount_paid, cur),
        "amount_due": money(order.total - order.amount_paid, cur),
        "po_number": order.po_number,
        "cost_centre_code": order.cost_centre_code,
        "delivery_address": {
            "label": order.ship_label,
            "line1": order.ship_line1,
            "line2": order.ship_line2,
            "postcode": order.ship_postcode,
            "city": order.ship_city,
            "country": order.ship_country,
        },
        "billing_address": order.company,
        "requested_delivery_date": order.requested_delivery_date,
        "note": order.note,
        "payment_terms": order.payment_terms,
        "net_days": order.net_days,
        "approval_reason": order.approval_reason,
        "decision_comment": order.decision_comment,
        "rejection_reason": order.rejection_reason,
        "created_at": order.created_at,
        "submitted_at": order.submitted_at,
        "lines": [_line_data(line, cur) for line in detail.lines],
        "shipments": detail.shipments,
        "timeline": detail.timeline,
    }
