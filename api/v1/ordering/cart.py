"""The buyer's cart and quick order.

Buyers only: the cart is the signed-in member's own. Anyone without a company here (staff
sessions, API keys) gets 404; viewers and finance members read their (empty) cart but every
change is 403. Products are addressed by their public id; a product the company may not see is
"not found", like one that does not exist.
"""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.v1.catalog import AvailabilityOutput
from api.v1.ordering.common import (
    NOT_FOUND,
    WRITE_ERRORS,
    MoneyOutput,
    OrderingView,
    OrderProblemOutput,
    ProductRefOutput,
    QuantityField,
    money,
    parse,
    unit_money,
)
from commerce.customers.policies import require_membership
from commerce.ordering import services
from commerce.ordering.policies import require_orderer
from commerce.ordering.selectors.api import cart_view
from commerce.ordering.services.cart import parse_quick_text

# --- the cart as every cart endpoint answers it ---------------------------------------------


class CartLineOutput(serializers.Serializer):
    product = ProductRefOutput()
    quantity = serializers.IntegerField()
    unit_price = MoneyOutput(allow_null=True, help_text="Today's price; null: no price.")
    price_reason = serializers.CharField(help_text="Why this price, in the buyer's words.")
    line_total = MoneyOutput(allow_null=True)
    availability = AvailabilityOutput()
    problems = OrderProblemOutput(many=True, help_text="Problems of this line.")


class _CartBody(serializers.Serializer):
    lines = CartLineOutput(many=True, help_text="In the order they were added.")
    total = MoneyOutput()
    problems = OrderProblemOutput(
        many=True, help_text="Problems of the whole order (empty cart, credit limit, hold)."
    )
    can_order = serializers.BooleanField(
        help_text="True when the cart has lines and no blocking problem (checkout fields are "
        "checked when the order is placed)."
    )


def _cart_data(request: Request) -> dict[str, Any]:
    draft, lines = cart_view(require_membership(request.user))
    currency = draft.currency
    return {
        "lines": [
            {
                "product": line.draft.product,
                "quantity": line.draft.quantity,
                "unit_price": unit_money(line.draft.quote.unit_price, currency),
                "price_reason": line.draft.quote.reason,
                "line_total": money(line.draft.quote.line_total, currency),
                "availability": line.availability,
                "problems": [p.as_dict() for p in line.problems],
            }
            for line in lines
        ],
        "total": money(draft.total, currency),
        "problems": [p.as_dict() for p in draft.order_problems],
        "can_order": draft.can_place,
    }


# --- GET /cart, DELETE /cart ----------------------------------------------------------------


class CartOutput(_CartBody):
    pass


class CartView(OrderingView):
    @extend_schema(
        operation_id="cart_retrieve",
        summary="My cart, priced and checked",
        description="Every line at today's price for my company, with availability and the "
        "problems the validation layers find (per line and for the whole order).",
        responses={200: CartOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        return Response(CartOutput(_cart_data(request)).data)

    @extend_schema(
        operation_id="cart_clear",
        summary="Empty my cart",
        request=None,
        responses={204: None, 403: WRITE_ERRORS[403], 404: NOT_FOUND},
    )
    def delete(self, request: Request) -> Response:
        services.cart_clear(actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- POST /cart/lines -----------------------------------------------------------------------


class CartLineAddInput(serializers.Serializer):
    product = serializers.UUIDField(help_text="The product's id.")
    quantity = QuantityField(help_text="Units to add to what is already in the cart.")


class CartLineAddOutput(_CartBody):
    pass


class CartLinesView(OrderingView):
    @extend_schema(
        operation_id="cart_lines_add",
        summary="Add a product to my cart",
        description="Adds to the quantity already in the cart. Answers with the whole cart.",
        request=CartLineAddInput,
        responses={200: CartLineAddOutput, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse(CartLineAddInput, request.data)
        services.cart_add(actor=request.user, product_id=data["product"], quantity=data["quantity"])
        return Response(CartLineAddOutput(_cart_data(request)).data)


# --- PUT/PATCH/DELETE /cart/lines/{product_id} ----------------------------------------------


class CartLineSetInput(serializers.Serializer):
    quantity = QuantityField(help_text="The new quantity; 0 removes the line.")


class CartLineSetOutput(_CartBody):
    pass


class CartLineView(OrderingView):
    def _set(self, request: Request, product_id: uuid.UUID) -> Response:
        data = parse(CartLineSetInput, request.data)
        services.cart_set_quantity(
            actor=request.user, product_id=product_id, quantity=data["quantity"]
        )
        return Response(CartLineSetOutput(_cart_data(request)).data)

    @extend_schema(
        operation_id="cart_lines_set",
        summary="Set a cart line's quantity",
        description="0 removes the line. 404 when the product is not in the cart.",
        request=CartLineSetInput,
        responses={200: CartLineSetOutput, **WRITE_ERRORS},
    )
    def put(self, request: Request, product_id: uuid.UUID) -> Response:
        return self._set(request, product_id)

    @extend_schema(
        operation_id="cart_lines_partial_set",
        summary="Set a cart line's quantity (same as PUT)",
        request=CartLineSetInput,
        responses={200: CartLineSetOutput, **WRITE_ERRORS},
    )
    def patch(self, request: Request, product_id: uuid.UUID) -> Response:
        return self._set(request, product_id)

    @extend_schema(
        operation_id="cart_lines_remove",
        summary="Remove a line from my cart",
        request=None,
        responses={204: None, 403: WRITE_ERRORS[403], 404: NOT_FOUND},
    )
    def delete(self, request: Request, product_id: uuid.UUID) -> Response:
        services.cart_remove(actor=request.user, product_id=product_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- POST /cart/quick-order -----------------------------------------------------------------


class QuickOrderItemInput(serializers.Serializer):
    sku = serializers.CharField(allow_blank=True)
    quantity = QuantityField(required=False, default="")


QUICK_LINES_SCHEMA = {
    "oneOf": [
        {
            "type": "string",
            "description": "One line per product: SKU and quantity separated by a space, tab, "
            "comma or semicolon.",
            "example": "BOLT 20\nNUT 40",
        },
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "sku": {"type": "string"},
                    "quantity": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
                },
                "required": ["sku", "quantity"],
            },
        },
    ]
}


@extend_schema_field(QUICK_LINES_SCHEMA)
class QuickLinesField(serializers.Field):
    """Pasted text or a list of ``{sku, quantity}``, as the quick-order service's rows
    ``(line number, text, sku, quantity text)``."""

    default_error_messages = {
        "invalid": "Send the lines as text (“SKU quantity” per line) or as a list of "
        "{{sku, quantity}}."
    }

    def to_internal_value(self, data: Any) -> list[tuple[int, str, str, str]]:
        if isinstance(data, str):
            return parse_quick_text(data)
        if not isinstance(data, list):
            self.fail("invalid")
        rows = []
        for number, item in enumerate(data, start=1):
            serializer = QuickOrderItemInput(data=item)
            if not serializer.is_valid():
                raise serializers.ValidationError({str(number): serializer.errors})
            sku, quantity = serializer.validated_data["sku"], serializer.validated_data["quantity"]
            rows.append((number, f"{sku} {quantity}", sku, quantity))
        return rows

    def to_representation(self, value: Any) -> Any:
        return value


class QuickOrderInput(serializers.Serializer):
    lines = QuickLinesField()


class QuickOrderAddedOutput(serializers.Serializer):
    sku = serializers.CharField()
    quantity = serializers.IntegerField()


class QuickOrderProblemOutput(serializers.Serializer):
    line = serializers.IntegerField(help_text="Line number (1-based) in the text or the list.")
    text = serializers.CharField(help_text="The line as sent.")
    message = serializers.CharField()


class QuickOrderOutput(serializers.Serializer):
    added = QuickOrderAddedOutput(many=True, help_text="Lines now in the cart.")
    problems = QuickOrderProblemOutput(many=True, help_text="Lines left out, and why.")


class QuickOrderRefusedOutput(serializers.Serializer):
    code = serializers.ChoiceField(choices=["no_lines", "nothing_added"])
    message = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    problems = QuickOrderProblemOutput(many=True)


def _refused(code: str, message: str, problems: list[Any]) -> Response:
    body = {"code": code, "message": message, "field": "lines", "problems": problems}
    return Response(QuickOrderRefusedOutput(body).data, status=status.HTTP_422_UNPROCESSABLE_ENTITY)


class QuickOrderView(OrderingView):
    @extend_schema(
        operation_id="cart_quick_order",
        summary="Add many lines by SKU",
        description="Puts every good line into the cart and lists each bad one with its line "
        "number and what is wrong: 200 when at least one line went in. 422 `no_lines` when "
        "there is no line at all, `nothing_added` when no line could be added (nothing "
        "changed; `problems` says why), or `too_many_lines` above 500 lines.",
        request=QuickOrderInput,
        responses={
            200: QuickOrderOutput,
            403: WRITE_ERRORS[403],
            404: NOT_FOUND,
            422: OpenApiResponse(QuickOrderRefusedOutput, description="Nothing was added."),
        },
    )
    def post(self, request: Request) -> Response:
        rows = parse(QuickOrderInput, request.data)["lines"]
        if not rows:
            require_orderer(request.user)
            return _refused(
                "no_lines", "Send at least one line: a SKU and a quantity, e.g. “BOLT 20”.", []
            )
        result = services.quick_order_apply(actor=request.user, rows=rows)
        if not result.added:
            return _refused(
                "nothing_added",
                "No line could be added to the cart: see the problems.",
                result.problems,
            )
        data = {
            "added": [{"sku": sku, "quantity": quantity} for sku, quantity in result.added],
            "problems": result.problems,
        }
        return Response(QuickOrderOutput(data).data)
