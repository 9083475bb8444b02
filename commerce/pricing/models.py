"""Price lists with volume breaks, their assignment to companies, and contract prices."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models


class PriceList(models.Model):
    """A named set of prices. Companies get lists assigned; ``is_default`` applies to every
    company with no assigned list covering a product. Among several lists covering a product,
    the lowest ``priority`` number wins."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_ref = models.CharField(max_length=64, blank=True, default="")
    name = models.CharField(max_length=120)
    currency = models.CharField(max_length=3)
    priority = models.PositiveIntegerField(default=100)
    is_default = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["priority", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~models.Q(external_ref=""),
                name="pricing_price_list_external_ref_unique",
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="pricing_one_default_list",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PriceListItem(models.Model):
    """The unit price of a product in a list from ``min_quantity`` units on (a volume break;
    the row with ``min_quantity=1`` is the list's base price)."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    min_quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["price_list", "product", "min_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "min_quantity"], name="pricing_item_break_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=Decimal("0")),
                name="pricing_item_price_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(min_quantity__gte=1), name="pricing_item_min_quantity"
            ),
        ]
        indexes = [models.Index(fields=["product", "price_list"], name="pricing_item_product")]

    def __str__(self) -> str:
        return f"{self.product_id} from {self.min_quantity}: {self.unit_price}"


class ContractPrice(models.Model):
    """A price negotiated with one company for one product, valid on dates
    ``valid_from``..``valid_to`` inclusive (open-ended when ``valid_to`` is empty)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_ref = models.CharField(max_length=64, blank=True, default="")
    company = models.ForeignKey(
        "customers.Company", on_delete=models.CASCADE, related_name="contract_prices"
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    unit_price = models.DecimalField(max_digits=14, decimal_places=4)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company", "product", "-valid_from"]
        indexes = [
            models.Index(
                fields=["company", "product", "valid_from"], name="pricing_contract_lookup"
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~models.Q(external_ref=""),
                name="pricing_contract_external_ref_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=Decimal("0")),
                name="pricing_contract_price_non_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="pricing_contract_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_id}/{self.product_id}: {self.unit_price}"
