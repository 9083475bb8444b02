"""The supplier's catalogue: categories, products, images, warehouses and stock."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models


class Category(models.Model):
    """A node of the category tree. ``path`` is the materialised path of ids
    (``/3/17/``), so a subtree is one indexed ``LIKE 'prefix%'`` away."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140)
    path = models.CharField(max_length=255, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["parent", "slug"], name="catalog_category_slug"),
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """Something the supplier sells.

    Guarantees: ``sku`` is unique; pack size, pallet quantity, minimum order quantity and order
    multiple are whole numbers ≥ 1; ``list_price`` is a non-negative Decimal in the portal's
    currency (the last fallback of pricing); ``search_vector`` is a stored generated column
    (SKU and name weighted A, description C) kept by the database for full-text search.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_ref = models.CharField(max_length=64, blank=True, default="")
    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    unit = models.CharField(max_length=16, default="pcs")
    pack_size = models.PositiveIntegerField(default=1)
    pallet_quantity = models.PositiveIntegerField(null=True, blank=True)
    min_order_qty = models.PositiveIntegerField(default=1)
    order_multiple = models.PositiveIntegerField(default=1)
    lead_time_days = models.PositiveSmallIntegerField(default=0)
    list_price = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    search_vector = models.GeneratedField(
        expression=SearchVector("sku", weight="A", config="simple")
        + SearchVector("name", weight="A", config="english")
        + SearchVector("description", weight="C", config="english"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            GinIndex(fields=["search_vector"], name="catalog_product_search"),
            GinIndex(fields=["sku"], name="catalog_product_sku_trgm", opclasses=["gin_trgm_ops"]),
            models.Index(fields=["category", "active"], name="catalog_product_cat_active"),
            # the catalogue's default order (name, then SKU) without sorting every row
            models.Index(fields=["name", "sku"], name="catalog_product_name_sku"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~models.Q(external_ref=""),
                name="catalog_product_external_ref_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(pack_size__gte=1), name="catalog_pack_size_min"
            ),
            models.CheckConstraint(
                condition=models.Q(min_order_qty__gte=1), name="catalog_moq_min"
            ),
            models.CheckConstraint(
                condition=models.Q(order_multiple__gte=1), name="catalog_order_multiple_min"
            ),
            models.CheckConstraint(
                condition=models.Q(list_price__gte=Decimal("0"))
                | models.Q(list_price__isnull=True),
                name="catalog_list_price_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


def product_image_path(instance: ProductImage, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()
    return f"catalog/{instance.product.public_id}/{uuid.uuid4().hex}.{suffix}"


class ProductImage(models.Model):
    """A picture of a product, with a generated thumbnail (both under the tenant's prefix)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=product_image_path)
    thumbnail = models.ImageField(upload_to=product_image_path)
    alt_text = models.CharField(max_length=200, blank=True, default="")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"image of {self.product_id}"


class Warehouse(models.Model):
    """A place stock is held."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StockLevel(models.Model):
    """How many units of a product a warehouse has on hand (and how many are reserved)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock_levels")
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="catalog_stock_unique"),
            models.CheckConstraint(
                condition=models.Q(on_hand__gte=0), name="catalog_stock_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(reserved__gte=0), name="catalog_reserved_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand}"

    @property
    def available(self) -> int:
        return max(self.on_hand - self.reserved, 0)


class ImportKind(models.TextChoices):
    PRODUCTS = "products", "Products"
    STOCK = "stock", "Stock"
    PRICE_LISTS = "price_lists", "Price lists"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be checked"
    VALIDATING = "validating", "Checking rows"
    READY = "ready", "Checked, waiting for confirmation"
    APPLYING = "applying", "Applying"
    DONE = "done", "Applied"
    FAILED = "failed", "Failed"


def import_file_path(instance: ImportJob, filename: str) -> str:
    return f"catalog/imports/{instance.public_id}.csv"


class ImportJob(models.Model):
    """One CSV upload of products, stock or price-list rows, from upload to applied.

    Guarantees: the uploaded file is kept under the tenant's prefix; ``errors`` lists every
    problem found in the last check as ``{"row", "column", "message"}``; a job is applied at
    most once and all-or-nothing (``done`` means every row is in, anything else means none is);
    ``progress_done``/``progress_total`` only grow while a job runs.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    status = models.CharField(
        max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    file = models.FileField(upload_to=import_file_path, max_length=255)
    original_name = models.CharField(max_length=255, blank=True, default="")
    created_by = models.ForeignKey(
        "sso.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_by = models.ForeignKey(
        "sso.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    total_rows = models.PositiveIntegerField(default=0)
    to_create = models.PositiveIntegerField(default=0)
    to_update = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    failure = models.TextField(blank=True, default="")
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.original_name or self.public_id}"

    @property
    def progress_percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)
