"""Orders: place one from the cart, list them with the pages' filters, read one, reorder it,
list its shipments.

Buyers see their company's orders; supplier staff (and API keys, which act as the staff user
who created them) see every order of the portal. Anyone else's order id is 404, the same as an
id that does not exist. Placing and reordering are for buyers who may order.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.v1.ordering.common import (
    FORBIDDEN,
    NOT_FOUND,
    WRITE_ERRORS,
    MoneyOutput,
    OrderingView,
    OrderInvalidOutput,
    money,
    parse,
)
from api.v1.ordering.outputs import (
    CompanyRefOutput,
    OrderBody,
    PersonOutput,
    ShipmentOutput,
    order_data,
)
from commerce.catalog.selectors.portal import API_PAGE_SIZE
from commerce.customers.policies import buyer_membership
from commerce.ordering import services
from commerce.ordering.access import access_order_by_id, orders_for
from commerce.ordering.cache import ALL, cached_orders
from commerce.ordering.choices import PaymentState, ProcessState, ValidationState
from commerce.ordering.selectors import OrderFilters, buyer_status
from commerce.ordering.selectors.api import (
    order_detail,
    order_line_ids,
    order_page,
    order_shipments,
    placed_order_detail,
)

# --- POST /orders ---------------------------------------------------------------------------


class OrderCreateInput(serializers.Serializer):
    delivery_address = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="One of my company's addresses."
    )
    po_number = serializers.CharField(required=False, allow_blank=True, default="")
    cost_centre = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="One of my company's centres."
    )
    requested_delivery_date = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class OrderCreateOutput(OrderBody):
    pass


def _id_text(value: uuid.UUID | None) -> str | None:
    return str(value) if value else None


# --- GET /orders ----------------------------------------------------------------------------


class OrderListInput(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        help_text="Part of an order or PO number.",
    )
    date_from = serializers.DateField(required=False, allow_null=True, default=None)
    date_to = serializers.DateField(required=False, allow_null=True, default=None)
    amount_min = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    amount_max = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, allow_null=True, default=None
    )
    product = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=64, help_text="A SKU, exact."
    )
    status = serializers.ChoiceField(
        choices=ProcessState.choices, required=False, allow_blank=True, default=""
    )
    po_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=35, help_text="Exact."
    )
    buyer = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=254, help_text="An e-mail."
    )
    cost_centre = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=32, help_text="A code."
    )
    company = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text="Supplier staff: one company."
    )
    page = serializers.IntegerField(required=False, min_value=1, default=1)


class OrderSummaryOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    number = serializers.CharField()
    company = CompanyRefOutput()
    placed_by = PersonOutput()
    created_at = serializers.DateTimeField()
    process_state = serializers.ChoiceField(choices=ProcessState.choices)
    validation_state = serializers.ChoiceField(choices=ValidationState.choices)
    payment_state = serializers.ChoiceField(choices=PaymentState.choices)
    buyer_status = serializers.CharField()
    total = MoneyOutput()
    po_number = serializers.CharField(allow_blank=True)
    cost_centre = serializers.CharField(allow_blank=True)


class OrderListOutput(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = OrderSummaryOutput(many=True)


def _page_url(request: Request, number: int) -> str:
    params = request.query_params.copy()
    params["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def _summary(order: Any) -> dict[str, Any]:
    return {
        "public_id": order.public_id,
        "number": order.number,
        "company": order.company,
        "placed_by": order.placed_by,
        "created_at": order.created_at,
        "process_state": order.process_state,
        "validation_state": order.validation_state,
        "payment_state": order.payment_state,
        "buyer_status": buyer_status(order),
        "total": money(order.total, order.currency),
        "po_number": order.po_number,
        "cost_centre": order.cost_centre_code,
    }


class OrdersView(OrderingView):
    @extend_schema(
        operation_id="orders_list",
        summary="Orders, filtered",
        description="Newest first, 50 per page. Buyers see their company's orders; supplier "
        "staff see every order and may filter by `company`. `search` matches part of the order "
        "or PO number; `product` is an exact SKU; `buyer` an e-mail; `cost_centre` a code; "
        "dates are the supplier's calendar days. 404 for a page past the last.",
        parameters=[OrderListInput],
        responses={200: OrderListOutput, 404: NOT_FOUND, 422: WRITE_ERRORS[422]},
    )
    def get(self, request: Request) -> HttpResponse:
        params = parse(OrderListInput, request.query_params)
        number = params.pop("page")
        filters = OrderFilters(
            **{key: value for key, value in params.items() if key != "company"},
            company=_id_text(params["company"]) or "",
        )

        def build() -> bytes:
            page = order_page(
                orders_for(request.user), filters, page=number, per_page=API_PAGE_SIZE
            )
            data = {
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "next": _page_url(request, page.number + 1) if page.has_next() else None,
                "previous": _page_url(request, page.number - 1) if page.has_previous() else None,
                "results": [_summary(order) for order in page],
            }
            return bytes(JSONRenderer().render(OrderListOutput(data).data))

        # The list is the same for every member of a company (for staff: of the portal), so it
        # is cached rendered, per company and request (commerce.ordering.cache).
        membership = buyer_membership(request.user)
        scope = membership.company_id if membership is not None else ALL
        body = cached_orders(scope, f"api|{request.build_absolute_uri()}", build)
        return HttpResponse(body, content_type="application/json")

    @extend_schema(
        operation_id="orders_create",
        summary="Place an order from my cart",
        description="Runs every validation layer on the cart with these checkout choices. "
        "Placed: 201 with the order (awaiting approval when a company rule asks for it, else "
        "received), and the cart is empty. Refused: 422 `order_invalid` with every problem, "
        "and nothing changes.",
        request=OrderCreateInput,
        responses={
            201: OrderCreateOutput,
            403: FORBIDDEN,
            404: NOT_FOUND,
            422: OpenApiResponse(
                OrderInvalidOutput,
                description="`order_invalid` with `problems` (or `invalid` for bad input).",
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = parse(OrderCreateInput, request.data)
        checkout = services.CheckoutInput(
            delivery_address=_id_text(data["delivery_address"]),
            po_number=data["po_number"],
            cost_centre=_id_text(data["cost_centre"]),
            requested_delivery_date=data["requested_delivery_date"],
            note=data["note"],
        )
        order = services.order_place(actor=request.user, data=checkout)
        body = OrderCreateOutput(order_data(placed_order_detail(order))).data
        return Response(body, status=status.HTTP_201_CREATED)


# --- GET /orders/{id} -----------------------------------------------------------------------


class OrderDetailOutput(OrderBody):
    pass


class OrderView(OrderingView):
    @extend_schema(
        operation_id="orders_retrieve",
        summary="An order with its lines, shipments and timeline",
        responses={200: OrderDetailOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        order = access_order_by_id(request.user, public_id)
        return Response(OrderDetailOutput(order_data(order_detail(order))).data)


# --- POST /orders/{id}/reorder --------------------------------------------------------------


class ReorderInput(serializers.Serializer):
    lines = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_null=True,
        default=None,
        help_text="Positions of the lines to reorder; leave out for all.",
    )


class ReorderNoteOutput(serializers.Serializer):
    sku = serializers.CharField()
    message = serializers.CharField()


class ReorderOutput(serializers.Serializer):
    added = serializers.IntegerField(help_text="Lines put into the cart.")
    notes = ReorderNoteOutput(
        many=True, help_text="Price changes since the order, products no longer orderable."
    )


class ReorderView(OrderingView):
    @extend_schema(
        operation_id="orders_reorder",
        summary="Put a past order's lines into my cart",
        description="All lines, or those at the given positions, at today's prices; the notes "
        "say which prices changed and which products cannot be ordered any more.",
        request=ReorderInput,
        responses={200: ReorderOutput, **WRITE_ERRORS},
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        order = access_order_by_id(request.user, public_id)
        positions = parse(ReorderInput, request.data)["lines"]
        line_ids = order_line_ids(order, positions) if positions is not None else None
        result = services.reorder_to_cart(actor=request.user, order=order, line_ids=line_ids)
        return Response(ReorderOutput({"added": result.added, "notes": result.notes}).data)


# --- GET /orders/{id}/shipments -------------------------------------------------------------


class ShipmentListOutput(serializers.Serializer):
    results = ShipmentOutput(many=True, help_text="Oldest first.")


class ShipmentsView(OrderingView):
    @extend_schema(
        operation_id="orders_shipments_list",
        summary="An order's shipments with their tracking links",
        responses={200: ShipmentListOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        order = access_order_by_id(request.user, public_id)
        return Response(ShipmentListOutput({"results": order_shipments(order)}).data)
