"""API v1: the buyer's catalogue (views + their own input/output serializers).

Who may call: buyers signed in to the portal (session). Prices are per company, so an API key
(a supplier's integration, acting as the staff user who created it) gets 403 with a message
pointing to the integration API; a signed-in user who is not a buyer with a membership gets
404, as on the pages. The list uses the same selector as the catalogue page.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.models import ApiKey
from api.permissions import HasScope
from commerce.catalog.cache import cached_for_company
from commerce.catalog.selectors import portal as selectors
from commerce.customers.policies import require_membership
from commerce.selectors import portal_settings, portal_today
from core.errors import DomainError, NotFound


class NoApiKey(BasePermission):
    """Buyer endpoints answer sessions only: an integration key has no company to price for."""

    message = (
        "The buyer catalogue answers buyers signed in to the portal: prices depend on the "
        "buyer's company. Integrations use /api/v1/integration/."
    )

    def has_permission(self, request: Request, view: Any) -> bool:
        return not isinstance(request.auth, ApiKey)


PERMISSIONS = [IsAuthenticated, HasScope, NoApiKey]


def _parse(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """Validated input, or a 422 ``{code, message, field}`` naming the first bad field."""
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        field, messages = next(iter(serializer.errors.items()))
        raise DomainError("invalid", str(messages[0]), field=field)
    return dict(serializer.validated_data)


# --- shared output pieces (each endpoint still has its own top-level serializers) ---------


class CategoryRefOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()


class PriceOutput(serializers.Serializer):
    unit_price = serializers.DecimalField(
        max_digits=14, decimal_places=4, allow_null=True, help_text="Per unit; null: no price."
    )
    currency = serializers.CharField()
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["contract", "price_list", "list_price", "none"]
    )
    reason = serializers.CharField(help_text="Why this price, in the buyer's words.")
    valid_to = serializers.DateField(allow_null=True, help_text="Last day of a contract price.")
    orderable = serializers.BooleanField()


class AvailabilityOutput(serializers.Serializer):
    code = serializers.ChoiceField(choices=selectors.AvailabilityCode.choices)
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="The words shown to buyers: “In stock”, “12 left”."
    )
    quantity = serializers.IntegerField(
        allow_null=True, help_text="Units left, given only when stock is low."
    )


# --- GET /catalogue/products -----------------------------------------------------------------


class ProductListInput(serializers.Serializer):
    search = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=selectors.SEARCH_MAX_LENGTH
    )
    category = serializers.UUIDField(required=False, allow_null=True, default=None)
    in_stock = serializers.BooleanField(required=False, default=False)
    sort = serializers.ChoiceField(
        choices=selectors.CatalogueSort.choices, required=False, allow_blank=True, default=""
    )
    page = serializers.IntegerField(required=False, min_value=1, default=1)


class ProductListItemOutput(serializers.Serializer):
    id = serializers.UUIDField(source="product.public_id")
    sku = serializers.CharField(source="product.sku")
    name = serializers.CharField(source="product.name")
    unit = serializers.CharField(source="product.unit")
    thumbnail_url = serializers.CharField(allow_blank=True, help_text="Empty: no picture.")
    price = PriceOutput(source="quote")
    availability = AvailabilityOutput()


class ProductListOutput(serializers.Serializer):
    count = serializers.IntegerField(
        help_text="Matches; for a broad search, capped (see `count_capped`)."
    )
    count_capped = serializers.BooleanField(
        help_text="True when a search matched more than `count` products: results then come "
        "in name order, and only the first pages are served."
    )
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ProductListItemOutput(many=True)


def _page_url(request: Request, number: int) -> str:
    params = request.query_params.copy()
    params["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


class ProductListView(APIView):
    permission_classes = PERMISSIONS
    required_scope = "read"

    @extend_schema(
        operation_id="catalogue_products_list",
        summary="Search the catalogue, priced for my company",
        description=(
            "Active products the caller's company may see (its assortment, when restricted), "
            "50 per page. `search` matches words in name, SKU and description, and SKU "
            "fragments (“M8-40”, “0042”); an exact SKU ranks first. `category` includes its "
            "subcategories. Each item carries the company's price, why, and availability."
        ),
        parameters=[ProductListInput],
        responses=ProductListOutput,
    )
    def get(self, request: Request) -> HttpResponse:
        membership = require_membership(request.user)
        params = _parse(ProductListInput, request.query_params)
        category = None
        if params["category"] is not None:
            category = selectors.category_by_public_id(params["category"])
            if category is None:
                raise DomainError(
                    "unknown_category", "There is no category with this id.", field="category"
                )
        filters = selectors.CatalogueFilters(
            search=params["search"].strip(),
            category=category,
            in_stock=params["in_stock"],
            sort=params["sort"],
        )
        settings_row = portal_settings()

        def build() -> dict[str, Any]:
            page = selectors.catalogue_page(
                membership=membership,
                filters=filters,
                page=params["page"],
                per_page=selectors.API_PAGE_SIZE,
                settings_row=settings_row,
            )
            if page.number != params["page"]:
                raise NotFound(
                    f"There is no page {params['page']}: the last page is {page.num_pages}."
                )
            data = {
                "count": page.count,
                "count_capped": page.count_capped,
                "page": page.number,
                "pages": page.num_pages,
                "next": _page_url(request, page.number + 1) if page.has_next else None,
                "previous": _page_url(request, page.number - 1) if page.has_previous else None,
                "results": page.items,
            }
            return dict(ProductListOutput(data).data)

        # The cached value is the rendered JSON: a hit skips serialisation and rendering.
        body = cached_for_company(
            "api-list",
            membership.company_id,
            portal_today(settings_row),
            request.build_absolute_uri(),
            lambda: JSONRenderer().render(build()),
        )
        return HttpResponse(body, content_type="application/json")


# --- GET /catalogue/products/{id} ---------------------------------------------------------


class ProductDetailInput(serializers.Serializer):
    quantity = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=selectors.MAX_QUOTE_QUANTITY,
        default=None,
        allow_null=True,
        help_text="Quote for this many units (default: the minimum order quantity).",
    )


class BreakOutput(serializers.Serializer):
    min_quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=14, decimal_places=4)
    applicable = serializers.BooleanField(help_text="The break the quoted quantity falls in.")


class DetailPriceOutput(PriceOutput):
    quantity = serializers.IntegerField(help_text="The quantity quoted.")


class ImageOutput(serializers.Serializer):
    url = serializers.CharField()
    thumbnail_url = serializers.CharField()
    alt_text = serializers.CharField()


class ProductDetailOutput(serializers.Serializer):
    id = serializers.UUIDField(source="product.public_id")
    sku = serializers.CharField(source="product.sku")
    name = serializers.CharField(source="product.name")
    description = serializers.CharField(source="product.description")
    category = CategoryRefOutput(source="product.category", allow_null=True)
    unit = serializers.CharField(source="product.unit")
    pack_size = serializers.IntegerField(source="product.pack_size")
    pallet_quantity = serializers.IntegerField(source="product.pallet_quantity", allow_null=True)
    min_order_qty = serializers.IntegerField(source="product.min_order_qty")
    order_multiple = serializers.IntegerField(source="product.order_multiple")
    lead_time_days = serializers.IntegerField(source="product.lead_time_days")
    attributes = serializers.DictField(source="product.attributes")
    images = ImageOutput(many=True)
    price = DetailPriceOutput(source="quote")
    breaks = BreakOutput(many=True)
    availability = AvailabilityOutput()


class ProductDetailView(APIView):
    permission_classes = PERMISSIONS
    required_scope = "read"

    @extend_schema(
        operation_id="catalogue_products_retrieve",
        summary="A product, priced for my company, with its volume breaks",
        description=(
            "404 for a product that does not exist, is inactive, or is outside the company's "
            "assortment (the same answer for all three)."
        ),
        parameters=[ProductDetailInput],
        responses=ProductDetailOutput,
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        product = selectors.access_product_for_buyer(request.user, public_id)
        params = _parse(ProductDetailInput, request.query_params)
        detail = selectors.product_detail(
            membership=require_membership(request.user),
            product=product,
            quantity=params["quantity"],
        )
        return Response(ProductDetailOutput(detail).data)


# --- GET /catalogue/categories --------------------------------------------------------------


class CategoryNodeOutput(serializers.Serializer):
    id = serializers.UUIDField(source="category.public_id")
    name = serializers.CharField(source="category.name")
    slug = serializers.CharField(source="category.slug")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["children"] = CategoryNodeOutput(many=True)
        return fields


class CategoryTreeOutput(serializers.Serializer):
    results = CategoryNodeOutput(many=True)


class CategoryTreeView(APIView):
    permission_classes = PERMISSIONS
    required_scope = "read"

    @extend_schema(
        operation_id="catalogue_categories_tree",
        summary="The category tree",
        description="Every category, nested; use an id as `category` to filter products.",
        responses=CategoryTreeOutput,
    )
    def get(self, request: Request) -> Response:
        require_membership(request.user)
        tree = selectors.category_tree(selectors.catalogue_categories())
        return Response(CategoryTreeOutput({"results": tree}).data)


urlpatterns = [
    path("catalogue/products", ProductListView.as_view(), name="catalogue-product-list"),
    path(
        "catalogue/products/<uuid:public_id>",
        ProductDetailView.as_view(),
        name="catalogue-product-detail",
    ),
    path("catalogue/categories", CategoryTreeView.as_view(), name="catalogue-category-tree"),
]
