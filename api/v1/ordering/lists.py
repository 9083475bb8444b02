"""Requisition lists: saved products and quantities shared by everyone in a company.

Every member reads the company's lists; members who may order change them (viewers and finance
members get 403). Another company's list, and any list for callers without a company (staff,
API keys), is 404.
"""

from __future__ import annotations

import uuid
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.v1.ordering.common import (
    NOT_FOUND,
    WRITE_ERRORS,
    OrderingView,
    ProductRefOutput,
    QuantityField,
    parse,
)
from commerce.customers.policies import require_membership
from commerce.ordering import services
from commerce.ordering.access import access_list_by_id
from commerce.ordering.models import RequisitionList
from commerce.ordering.selectors.api import company_lists, list_items


class ListAuthorOutput(serializers.Serializer):
    email = serializers.EmailField()
    full_name = serializers.CharField()


class ListItemOutput(serializers.Serializer):
    product = ProductRefOutput()
    quantity = serializers.IntegerField()
    added_at = serializers.DateTimeField()


class _ListBody(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    created_by = ListAuthorOutput(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    items = ListItemOutput(many=True, help_text="In the order they were added.")


def _list_data(requisition_list: RequisitionList) -> dict[str, Any]:
    return {
        "public_id": requisition_list.public_id,
        "name": requisition_list.name,
        "created_by": requisition_list.created_by,
        "created_at": requisition_list.created_at,
        "updated_at": requisition_list.updated_at,
        "items": list_items(requisition_list),
    }


# --- GET/POST /lists ------------------------------------------------------------------------


class ListSummaryOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    line_count = serializers.IntegerField(help_text="Products on the list.")
    created_by = ListAuthorOutput(allow_null=True)
    updated_at = serializers.DateTimeField()


class ListIndexOutput(serializers.Serializer):
    results = ListSummaryOutput(many=True)


class ListCreateInput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, trim_whitespace=False)


class ListCreateOutput(_ListBody):
    pass


class ListsView(OrderingView):
    @extend_schema(
        operation_id="lists_list",
        summary="My company's lists",
        description="Every requisition list of the caller's company, by name.",
        responses={200: ListIndexOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        lists = company_lists(require_membership(request.user))
        return Response(ListIndexOutput({"results": lists}).data)

    @extend_schema(
        operation_id="lists_create",
        summary="Create a list",
        description="Names are unique within the company (422 `name_taken`).",
        request=ListCreateInput,
        responses={201: ListCreateOutput, **WRITE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse(ListCreateInput, request.data)
        made = services.list_create(actor=request.user, name=data["name"])
        return Response(ListCreateOutput(_list_data(made)).data, status=status.HTTP_201_CREATED)


# --- GET/PATCH/DELETE /lists/{id} -----------------------------------------------------------


class ListDetailOutput(_ListBody):
    pass


class ListRenameInput(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, trim_whitespace=False)


class ListRenameOutput(_ListBody):
    pass


class ListView(OrderingView):
    @extend_schema(
        operation_id="lists_retrieve",
        summary="A list with its products",
        responses={200: ListDetailOutput, 404: NOT_FOUND},
    )
    def get(self, request: Request, public_id: uuid.UUID) -> Response:
        found = access_list_by_id(request.user, public_id)
        return Response(ListDetailOutput(_list_data(found)).data)

    @extend_schema(
        operation_id="lists_rename",
        summary="Rename a list",
        request=ListRenameInput,
        responses={200: ListRenameOutput, **WRITE_ERRORS},
    )
    def patch(self, request: Request, public_id: uuid.UUID) -> Response:
        found = access_list_by_id(request.user, public_id)
        data = parse(ListRenameInput, request.data)
        renamed = services.list_rename(
            actor=request.user, requisition_list=found, name=data["name"]
        )
        return Response(ListRenameOutput(_list_data(renamed)).data)

    @extend_schema(
        operation_id="lists_destroy",
        summary="Delete a list",
        request=None,
        responses={204: None, 403: WRITE_ERRORS[403], 404: NOT_FOUND},
    )
    def delete(self, request: Request, public_id: uuid.UUID) -> Response:
        found = access_list_by_id(request.user, public_id)
        services.list_delete(actor=request.user, requisition_list=found)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- PUT /lists/{id}/items/{product_id} -----------------------------------------------------


class ListItemSetInput(serializers.Serializer):
    quantity = QuantityField(help_text="The quantity on the list (replaces it); 0 removes it.")


class ListItemSetOutput(_ListBody):
    pass


class ListItemView(OrderingView):
    @extend_schema(
        operation_id="lists_items_set",
        summary="Put a product on a list, or take it off",
        description="Sets the product's quantity on the list; 0 removes it. Answers with the "
        "whole list.",
        request=ListItemSetInput,
        responses={200: ListItemSetOutput, **WRITE_ERRORS},
    )
    def put(self, request: Request, public_id: uuid.UUID, product_id: uuid.UUID) -> Response:
        found = access_list_by_id(request.user, public_id)
        data = parse(ListItemSetInput, request.data)
        services.list_set_item(
            actor=request.user,
            requisition_list=found,
            product_id=product_id,
            quantity=data["quantity"],
        )
        fresh = access_list_by_id(request.user, public_id)
        return Response(ListItemSetOutput(_list_data(fresh)).data)


# --- POST /lists/{id}/add-to-cart -----------------------------------------------------------


class ListToCartOutput(serializers.Serializer):
    added = serializers.IntegerField(help_text="Lines added to the cart.")


class ListToCartView(OrderingView):
    @extend_schema(
        operation_id="lists_add_to_cart",
        summary="Put a list's products into my cart",
        description="Adds each product the company may still order with the list's quantity "
        "(to what is already in the cart).",
        request=None,
        responses={200: ListToCartOutput, **WRITE_ERRORS},
    )
    def post(self, request: Request, public_id: uuid.UUID) -> Response:
        found = access_list_by_id(request.user, public_id)
        added = services.list_to_cart(actor=request.user, requisition_list=found)
        return Response(ListToCartOutput({"added": added}).data)
