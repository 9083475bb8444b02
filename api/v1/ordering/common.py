"""What every ordering endpoint shares: the base view (scopes by method), input parsing, the
loose number fields, money formatting and the output pieces nested in several responses (each
endpoint still has its own top-level serializers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.views import APIView

from api.permissions import HasScope
from core.money import MoneyError, parse_amount, quantize, quantize_unit_price


class OrderingView(APIView):
    # Signed-in users (session) and API keys, which act as the staff user who created them. A
    # key needs the ``read`` scope for GET and ``write`` for anything that changes data; who may
    # do what is then the services' and ``access.py``'s business, as on the pages. (A comment,
    # not a docstring: the OpenAPI schema would show it on every operation.)

    permission_classes = [IsAuthenticated, HasScope]

    @property
    def required_scope(self) -> str:
        return "read" if self.request.method in SAFE_METHODS else "write"


def parse(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """Validated input, or a 422 ``{code: "invalid", message, field, problems}``."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- input fields ---------------------------------------------------------------------------


def _loose_text(field: serializers.Field, data: Any) -> str:
    if isinstance(data, bool) or not isinstance(data, str | int | Decimal):
        field.fail("invalid")
    return str(data).strip()


@extend_schema_field(
    {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string"}], "example": 12}
)
class QuantityField(serializers.Field):
    """A quantity as sent (number or text); the services say what is wrong with it, in the
    same words as on the pages ("2.5 is not a whole number: order whole units")."""

    default_error_messages = {"invalid": "Send the quantity as a whole number, e.g. 12."}

    def to_internal_value(self, data: Any) -> str:
        return _loose_text(self, data)

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}], "example": "120.50"})
class AmountField(serializers.Field):
    """An amount of money as text ("120.50", "120,50") or a JSON number (read as an exact
    decimal, never a float)."""

    default_error_messages = {"invalid": 'Send the amount as text or a number, e.g. "120.50".'}

    def to_internal_value(self, data: Any) -> Decimal:
        text = _loose_text(self, data)
        try:
            return parse_amount(text)
        except MoneyError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value: Any) -> Any:
        return str(value)


# --- money ----------------------------------------------------------------------------------


def money(amount: Decimal | None, currency: str) -> dict[str, str] | None:
    """A total as ``{"amount": "300.00", "currency": "EUR"}`` (the currency's minor unit)."""
    if amount is None:
        return None
    return {"amount": str(quantize(amount, currency)), "currency": currency}


def unit_money(amount: Decimal | None, currency: str) -> dict[str, str] | None:
    """A unit price as ``{"amount": "0.0125", ...}`` with four decimals, as the catalogue API."""
    if amount is None:
        return None
    return {"amount": str(quantize_unit_price(amount)), "currency": currency}


# --- shared output pieces -------------------------------------------------------------------


class MoneyOutput(serializers.Serializer):
    amount = serializers.CharField(
        help_text="A decimal as text: totals in the currency's minor unit (“300.00”), unit "
        "prices with four decimals (“0.0125”)."
    )
    currency = serializers.CharField(help_text="ISO 4217, e.g. EUR.")


class ProductRefOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    sku = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()


class OrderProblemOutput(serializers.Serializer):
    layer = serializers.ChoiceField(choices=["integrity", "business", "finance", "logistics"])
    code = serializers.CharField(help_text="Stable, e.g. below_minimum, credit_limit.")
    message = serializers.CharField(help_text="What is wrong, with the numbers in it.")
    severity = serializers.ChoiceField(
        choices=["error", "warning"], help_text="error blocks the order; warning does not."
    )
    line = serializers.CharField(allow_null=True, help_text="The SKU of the line it concerns.")
    field = serializers.CharField(allow_null=True, help_text="The checkout field it concerns.")
    suggestion = serializers.CharField(allow_blank=True)
    fix = serializers.DictField(
        help_text='A one-click fix when there is one, e.g. {"set_quantity": 50} or '
        '{"remove": true}; empty otherwise.'
    )


class InputProblemOutput(serializers.Serializer):
    field = serializers.CharField(allow_blank=True, help_text="E.g. lines.2.quantity.")
    message = serializers.CharField()


class _ErrorBody(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, e.g. not_found, permission_denied, invalid.")
    message = serializers.CharField(help_text="What happened and what to do, in plain words.")
    field = serializers.CharField(allow_null=True, help_text="The input field concerned.")


class ErrorOutput(_ErrorBody):
    problems = InputProblemOutput(
        many=True, required=False, help_text="With code `invalid` only: every bad input field."
    )


class OrderInvalidOutput(_ErrorBody):
    problems = OrderProblemOutput(many=True, help_text="Every problem found, blocking or not.")


NOT_FOUND = OpenApiResponse(
    ErrorOutput, description="Missing, or not yours: the same answer for both."
)
FORBIDDEN = OpenApiResponse(
    ErrorOutput, description="Your role may not do this (the message says who may)."
)
REFUSED = OpenApiResponse(
    ErrorOutput,
    description="Refused with a code and a message: bad input (`invalid`, with `problems` per "
    "field) or a rule of the order (e.g. `transition_refused`).",
)
WRITE_ERRORS = {403: FORBIDDEN, 404: NOT_FOUND, 422: REFUSED}
