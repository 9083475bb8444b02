"""The moves of an order: the buyer's approval, cancelling, and the supplier's validation,
confirmation, shipping, delivery and payments.

Each action first reaches the order like a read does (404 for anyone who may not see it), then
calls the service, which checks the role (403 with a message saying who may) and the state
(422 with the service's code, e.g. ``transition_refused``, ``stock_short``). A refused action
changes nothing. Each answers with the order as ``GET /orders/{id}`` does, except shipping,
which answers with the new shipment.
"""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.v1.ordering.common import WRITE_ERRORS, AmountField, OrderingView, parse
from api.v1.ordering.outputs import OrderBody, ShipmentBody, order_data
from commerce.ordering import services
from commerce.ordering.access import access_order_by_id
from commerce.ordering.models import Order
from commerce.ordering.selectors.api import order_detail, shipment_detail


def _answer(output: type[OrderBody], order: Order) -> Response:
    return Response(output(order_data(order_detail(order))).data)


def _action_schema(operation_id: str, summary: str, description: str, **kwargs: Any) -> Any:
    kwargs.setdefault("request", None)
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        responses={200: kwargs.pop("output"), **WRITE_ERRORS},
        **kwargs,
    )


# --- the buyer's approval -------------------------------------------------------------------


class OrderApproveInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class OrderApproveOutput(OrderBody):
    pass


class OrderApproveView(OrderingView):
    @_action_schema(
        "orders_approve",
        "Approve an order awaiting approval",
        "Company approvers (up to their limit) and company admins, never for their own order; "
        "the order goes to the supplier.",
        request=OrderApproveInput,
        output=OrderApproveOutput,
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        order = access_order_by_id(request.user, public_id)
        data = parse(OrderApproveInput, request.data)
        order = services.order_approve(actor=request.user, order=order, comment=data["comment"])
        return _answer(OrderApproveOutput, order)


class OrderRejectApprovalInput(serializers.Serializer):
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required: the buyer sees it."
    )


class OrderRejectApprovalOutput(OrderBody):
    pass


class OrderRejectApprovalView(OrderingView):
    @_action_schema(
        "orders_reject_approval",
        "Reject an order awaiting approval",
        "As approving; the order is cancelled and the comment tells the buyer why.",
        request=OrderRejectApprovalInput,
        output=OrderRejectApprovalOutput,
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        order = access_order_by_id(request.user, public_id)
        data = parse(OrderRejectApprovalInput, request.data)
        order = services.order_reject_approval(
            actor=request.user, order=order, comment=data["comment"]
        )
        return _answer(OrderRejectApprovalOutput, order)


class OrderCancelInput(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required for supplier staff."
    )


class OrderCancelOutput(OrderBody):
    pass


class OrderCancelView(OrderingView):
    @_action_schema(
        "orders_cancel",
        "Cancel an order",
        "The buyer who placed it (or a company admin) while it awaits approval or the "
        "supplier; supplier administrators and validators until it ships, with a reason. "
        "Reserved stock is released.",
        request=OrderCancelInput,
        output=OrderCancelOutput,
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        order = access_order_by_id(request.user, public_id)
        data = parse(OrderCancelInput, request.data)
        order = services.order_cancel(actor=request.user, order=order, reason=data["reason"])
        return _answer(OrderCancelOutput, order)


# --- the supplier's validation and confirmation ---------------------------------------------


class OrderValidateInput(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class OrderValidateOutput(OrderBody):
    pass


class OrderValidateView(OrderingView):
    @_action_schema(
        "orders_validate",
        "Validate a received order",
        "Supplier administrators and validators: the order is in validation and approved.",
        request=OrderValidateInput,
        output=OrderValidateOutput,
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        order = access_order_by_id(request.user, public_id)
        data = parse(OrderValidateInput, request.data)
        order = services.order_validate(actor=request.user, order=order, comment=data["comment"])
        return _answer(OrderValidateOutput, order)


class OrderRejectInput(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required: the buyer sees it."
    )


class OrderRejectOutput(OrderBody):
    pass


class OrderRejectView(OrderingView):
    @_action_schema(
        "orders_reject",
        "Reject a received order",
        "Supplier administrators and validators; the order is cancelled with the reason.",
        request=OrderRejectInput,
        output=OrderRejectOutput,
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        order = access_order_by_id(request.user, public_id)
        data = parse(OrderRejectInput, request.data)
        order = services.order_reject(actor=request.user, order=order, reason=data["reason"])
        return _answer(OrderRejectOutput, order)


class OrderConfirmOutput(OrderBody):
    pass


class OrderConfirmView(OrderingView):
    @_action_schema(
        "orders_confirm",
        "Confirm a validated order, reserving its stock",
        "Supplier administrators and validators. 422 `stock_short` (nothing reserved) when "
        "free stock does not cover every line.",
        output=OrderConfirmOutput,
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        order = access_order_by_id(request.user, public_id)
        order = services.order_confirm(actor=request.user, order=order)
        return _answer(OrderConfirmOutput, order)


# --- shipping and delivery ------------------------------------------------------------------


class ShipLineInput(serializers.Serializer):
    position = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=0)


class OrderShipInput(serializers.Serializer):
    carrier = serializers.CharField(help_text="The carrier's id.")
    tracking_number = serializers.CharField(required=False, allow_blank=True, default="")
    lines = ShipLineInput(
        many=True,
        required=False,
        allow_null=True,
        default=None,
        help_text="Units per line position; leave out to ship everything still open.",
    )

    def validate_lines(self, value: list[dict[str, int]] | None) -> list[dict[str, int]] | None:
        positions = [line["position"] for line in value or []]
        twice = sorted({p for p in positions if positions.count(p) > 1})
        if twice:
            raise serializers.ValidationError(f"Line {twice[0]} is listed twice.")
        return value


class OrderShipOutput(ShipmentBody):
    pass


class OrderShipView(OrderingView):
    @extend_schema(
        operation_id="orders_ship",
        summary="Ship some or all open units",
        description="Supplier administrators and dispatchers. The first shipment puts a "
        "confirmed order in dispatch (refused while a prepayment customer has not paid, or "
        "the account is on hold); the tracking link comes from the carrier's template.",
        request=OrderShipInput,
        responses={201: OrderShipOutput, **WRITE_ERRORS},
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        order = access_order_by_id(request.user, public_id)
        data = parse(OrderShipInput, request.data)
        lines = data["lines"]
        shipment = services.shipment_create(
            actor=request.user,
            order=order,
            carrier_id=data["carrier"],
            tracking_number=data["tracking_number"],
            quantities=None
            if lines is None
            else {line["position"]: line["quantity"] for line in lines},
        )
        body = OrderShipOutput(shipment_detail(shipment)).data
        return Response(body, status=status.HTTP_201_CREATED)


class OrderDeliverOutput(OrderBody):
    pass


class OrderDeliverView(OrderingView):
    @_action_schema(
        "orders_deliver",
        "Mark a fully shipped order delivered",
        "Supplier administrators and dispatchers.",
        output=OrderDeliverOutput,
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        order = access_order_by_id(request.user, public_id)
        order = services.order_deliver(actor=request.user, order=order)
        return _answer(OrderDeliverOutput, order)


# --- payments -------------------------------------------------------------------------------


class PaymentRecordInput(serializers.Serializer):
    amount = AmountField(help_text="Between 0.01 and what is still due.")
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class PaymentRecordOutput(OrderBody):
    pass


class PaymentRecordView(OrderingView):
    @_action_schema(
        "orders_payments_record",
        "Record money received for an order",
        "Supplier administrators and finance: the order becomes partially paid or paid.",
        request=PaymentRecordInput,
        output=PaymentRecordOutput,
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        order = access_order_by_id(request.user, public_id)
        data = parse(PaymentRecordInput, request.data)
        order = services.payment_record(
            actor=request.user, order=order, amount=data["amount"], reference=data["reference"]
        )
        return _answer(PaymentRecordOutput, order)
