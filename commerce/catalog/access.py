"""Catalogue objects by their public id, for an actor: missing and forbidden both raise
``NotFound`` (nothing tells a caller that an id exists)."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.db import models

from commerce.catalog.models import Category, ImportJob, Product, ProductImage, Warehouse
from commerce.customers.policies import is_staff
from core.errors import NotFound

M = TypeVar("M", bound=models.Model)


def _by_public_id(actor: Any, queryset: models.QuerySet[M], public_id: Any) -> M:
    if not is_staff(actor):
        raise NotFound()
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    obj = queryset.filter(public_id=key).first()
    if obj is None:
        raise NotFound()
    return obj


def access_category_by_id(actor: Any, public_id: Any) -> Category:
    return _by_public_id(actor, Category.objects.select_related("parent"), public_id)


def access_product_by_id(actor: Any, public_id: Any) -> Product:
    return _by_public_id(actor, Product.objects.select_related("category"), public_id)


def access_product_image_by_id(actor: Any, public_id: Any) -> ProductImage:
    return _by_public_id(actor, ProductImage.objects.select_related("product"), public_id)


def access_warehouse_by_id(actor: Any, public_id: Any) -> Warehouse:
    return _by_public_id(actor, Warehouse.objects.all(), public_id)


def access_import_job_by_id(actor: Any, public_id: Any) -> ImportJob:
    return _by_public_id(actor, ImportJob.objects.all(), public_id)
