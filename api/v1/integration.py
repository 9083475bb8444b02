"""API v1, integration scope: the supplier's systems push reference data (API key with the
``integration`` scope). Each batch is all-or-nothing with per-item problems (see
``commerce.integration``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.models import ApiKey
from api.permissions import HasScope
from commerce import integration


class ProblemOutput(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in `items`, from 0.")
    field = serializers.CharField()
    message = serializers.CharField()


class UpsertOutput(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class RefusedOutput(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    problems = ProblemOutput(many=True)


class ProductItem(serializers.Serializer):
    sku = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(
        required=False, allow_blank=True, help_text="Full path, e.g. “Fasteners > Screws”."
    )
    unit = serializers.CharField(required=False)
    pack_size = serializers.IntegerField(required=False, min_value=1)
    pallet_quantity = serializers.IntegerField(required=False, min_value=1, allow_null=True)
    min_order_qty = serializers.IntegerField(required=False, min_value=1)
    order_multiple = serializers.IntegerField(required=False, min_value=1)
    lead_time_days = serializers.IntegerField(required=False, min_value=0)
    list_price = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True, coerce_to_string=True
    )
    attributes = serializers.DictField(child=serializers.CharField(), required=False)
    active = serializers.BooleanField(required=False)
    external_ref = serializers.CharField(required=False, allow_blank=True)


class StockItem(serializers.Serializer):
    sku = serializers.CharField()
    warehouse = serializers.CharField(help_text="Warehouse code.")
    on_hand = serializers.IntegerField(min_value=0)


class PriceItem(serializers.Serializer):
    price_list = serializers.CharField(help_text="External reference or name of the list.")
    sku = serializers.CharField()
    min_quantity = serializers.IntegerField(min_value=1)
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4, coerce_to_string=True)


class CompanyItem(serializers.Serializer):
    external_ref = serializers.CharField()
    name = serializers.CharField()
    vat_id = serializers.CharField(required=False, allow_blank=True)
    billing_line1 = serializers.CharField()
    billing_line2 = serializers.CharField(required=False, allow_blank=True)
    billing_postcode = serializers.CharField()
    billing_city = serializers.CharField()
    billing_country = serializers.CharField(max_length=2)
    payment_terms = serializers.ChoiceField(choices=["prepayment", "card", "net"], required=False)
    net_days = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    credit_limit = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, coerce_to_string=True
    )
    status = serializers.ChoiceField(choices=["active", "on_hold"], required=False)
    hold_reason = serializers.CharField(required=False, allow_blank=True)
    approval_threshold = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        coerce_to_string=True,
        help_text="Orders above it need the company's approval; null: none do. Left out: "
        "unchanged.",
    )
    po_required = serializers.BooleanField(
        required=False, help_text="A PO number on every order. Left out: unchanged."
    )
    price_lists = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="External references of price lists.",
    )


class ContractItem(serializers.Serializer):
    external_ref = serializers.CharField()
    company = serializers.CharField(help_text="The company's external reference.")
    sku = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4, coerce_to_string=True)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(required=False, allow_null=True)


Upsert = Callable[..., integration.UpsertResult]


def _first_message(errors: Any) -> str:
    """DRF nests errors (lists of lists, dicts by position for list fields): the first text."""
    while isinstance(errors, list | dict) and errors:
        errors = next(iter(errors.values())) if isinstance(errors, dict) else errors[0]
    return str(errors)


def _batch(item: type[serializers.Serializer]) -> serializers.Serializer:
    return inline_serializer(
        name=f"{item.__name__}Batch",
        fields={"items": item(many=True)},
    )


class _UpsertView(APIView):
    """Shared by the five endpoints: check the key, validate shapes, run the upsert."""

    permission_classes = [HasScope]
    required_scope = "integration"
    item_serializer: type[serializers.Serializer]

    def upsert(self, actor: Any, items: Sequence[Mapping[str, Any]]) -> integration.UpsertResult:
        raise NotImplementedError

    def post(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiKey):
            raise PermissionDenied(
                "The integration API takes an API key with the "
                "integration scope, not a browser session."
            )
        raw = request.data.get("items") if isinstance(request.data, dict) else None
        if not isinstance(raw, list):
            return Response(
                {
                    "code": "invalid",
                    "field": "items",
                    "message": "Send a JSON object with a list under “items”.",
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        shaped = self.item_serializer(data=raw, many=True)
        if not shaped.is_valid():
            by_index = shaped.errors
            pairs = by_index.items() if isinstance(by_index, dict) else enumerate(by_index)
            problems = [
                {"index": index, "field": name, "message": _first_message(messages)}
                for index, errors in sorted(pairs, key=lambda pair: pair[0])
                if errors
                for name, messages in errors.items()
            ]
            return Response(
                {
                    "code": "batch_refused",
                    "problems": problems,
                    "message": f"{len(problems)} problem(s); nothing was applied.",
                },
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        items = [dict(item) for item in shaped.validated_data]
        try:
            result = self.upsert(request.user, items)
        except integration.BatchRefused as exc:
            return Response(
                {
                    "code": exc.code,
                    "message": exc.message,
                    "problems": [p.as_dict() for p in exc.result.problems],
                },
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        return Response(UpsertOutput(result).data)


def _schema(item: type[serializers.Serializer], what: str, key: str) -> Any:
    return extend_schema(
        operation_id=f"integration_{what}_upsert",
        summary=f"Upsert {what.replace('_', ' ')}",
        description=(
            f"Create or update {what.replace('_', ' ')} keyed by {key}. All-or-nothing: "
            "a batch with any problem writes nothing and answers 422 with every problem "
            "by item index. Sending the same batch again answers `unchanged`. "
            f"At most {integration.MAX_ITEMS} items."
        ),
        request=_batch(item),
        responses={200: UpsertOutput, 400: RefusedOutput, 403: RefusedOutput, 422: RefusedOutput},
        examples=[
            OpenApiExample(
                "Counts", value={"created": 2, "updated": 1, "unchanged": 7}, response_only=True
            )
        ],
    )


class ProductsUpsert(_UpsertView):
    item_serializer = ProductItem

    def upsert(self, actor: Any, items: Sequence[Mapping[str, Any]]) -> integration.UpsertResult:
        return integration.integration_upsert_catalogue(actor=actor, kind="products", items=items)

    @_schema(ProductItem, "products", "SKU")
    def post(self, request: Request) -> Response:
        return super().post(request)


class StockUpsert(_UpsertView):
    item_serializer = StockItem

    def upsert(self, actor: Any, items: Sequence[Mapping[str, Any]]) -> integration.UpsertResult:
        return integration.integration_upsert_catalogue(actor=actor, kind="stock", items=items)

    @_schema(StockItem, "stock", "SKU and warehouse code")
    def post(self, request: Request) -> Response:
        return super().post(request)


class PriceListsUpsert(_UpsertView):
    item_serializer = PriceItem

    def upsert(self, actor: Any, items: Sequence[Mapping[str, Any]]) -> integration.UpsertResult:
        return integration.integration_upsert_catalogue(
            actor=actor, kind="price_lists", items=items
        )

    @_schema(
        PriceItem, "price_lists", "price list (external reference or name), SKU and break quantity"
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class CompaniesUpsert(_UpsertView):
    item_serializer = CompanyItem

    def upsert(self, actor: Any, items: Sequence[Mapping[str, Any]]) -> integration.UpsertResult:
        return integration.integration_upsert_companies(actor=actor, items=items)

    @_schema(CompanyItem, "companies", "external_ref")
    def post(self, request: Request) -> Response:
        return super().post(request)


class ContractPricesUpsert(_UpsertView):
    item_serializer = ContractItem

    def upsert(self, actor: Any, items: Sequence[Mapping[str, Any]]) -> integration.UpsertResult:
        return integration.integration_upsert_contract_prices(actor=actor, items=items)

    @_schema(ContractItem, "contract_prices", "external_ref")
    def post(self, request: Request) -> Response:
        return super().post(request)


urlpatterns = [
    path("products", ProductsUpsert.as_view(), name="integration-products"),
    path("stock", StockUpsert.as_view(), name="integration-stock"),
    path("price-lists", PriceListsUpsert.as_view(), name="integration-price-lists"),
    path("companies", CompaniesUpsert.as_view(), name="integration-companies"),
    path("contract-prices", ContractPricesUpsert.as_view(), name="integration-contract-prices"),
]
