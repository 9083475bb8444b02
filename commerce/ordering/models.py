"""Carts, requisition lists, orders with their three state axes, shipments, carriers and in-app
notifications. Everything here lives in the tenant schema.

Orders keep copies of what may change later (product SKU/name/unit, unit price and its reason,
the delivery address, payment terms), so an order reads the same in five years.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models

from commerce.ordering.choices import (
    OPEN_PROCESS_STATES,
    UNSETTLED_PAYMENT_STATES,
    Axis,
    NotificationKind,
    PaymentState,
    ProcessState,
    ValidationState,
)


class Cart(models.Model):
    """One buyer's cart, kept across sessions and devices until the order is placed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart"
    )
    company = models.ForeignKey("customers.Company", on_delete=models.CASCADE, related_name="carts")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cart of {self.user_id}"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "product"], name="ordering_cart_line_product"),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="ordering_cart_qty"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


class RequisitionList(models.Model):
    """A saved list of products and quantities, shared by everyone in the company."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(
        "customers.Company", on_delete=models.CASCADE, related_name="requisition_lists"
    )
    name = models.CharField(max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="ordering_list_name"),
        ]

    def __str__(self) -> str:
        return self.name


class RequisitionListLine(models.Model):
    requisition_list = models.ForeignKey(
        RequisitionList, on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requisition_list", "product"], name="ordering_list_line_product"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="ordering_list_qty"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


class OrderCounter(models.Model):
    """The last order number handed out per year (one row per year; locked while numbering)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Order(models.Model):
    """A placed order. Its state is three fields, changed only by the transition functions."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(max_length=20, unique=True)
    company = models.ForeignKey(
        "customers.Company", on_delete=models.PROTECT, related_name="orders"
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders_placed"
    )
    process_state = models.CharField(
        max_length=20, choices=ProcessState.choices, default=ProcessState.DRAFT
    )
    validation_state = models.CharField(
        max_length=16, choices=ValidationState.choices, default=ValidationState.PENDING_CHECK
    )
    payment_state = models.CharField(
        max_length=16, choices=PaymentState.choices, default=PaymentState.UNPAID
    )
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=14, decimal_places=2)
    total = models.DecimalField(max_digits=14, decimal_places=2)
    amount_paid = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    po_number = models.CharField(max_length=35, blank=True, default="")
    cost_centre = models.ForeignKey(
        "customers.CostCentre", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cost_centre_code = models.CharField(max_length=32, blank=True, default="")
    delivery_address = models.ForeignKey(
        "customers.DeliveryAddress",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ship_label = models.CharField(max_length=80, blank=True, default="")
    ship_line1 = models.CharField(max_length=200)
    ship_line2 = models.CharField(max_length=200, blank=True, default="")
    ship_postcode = models.CharField(max_length=12)
    ship_city = models.CharField(max_length=100)
    ship_country = models.CharField(max_length=2)
    requested_delivery_date = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    payment_terms = models.CharField(max_length=16)
    net_days = models.PositiveSmallIntegerField(null=True, blank=True)
    approval_reason = models.CharField(max_length=200, blank=True, default="")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_comment = models.TextField(blank=True, default="")
    rejection_reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Newest first, as every order list sorts (the id breaks ties): the page is read
            # straight off the index, for one company or for all.
            models.Index(
                fields=["company", "-created_at", "-id"], name="ordering_order_company_newest"
            ),
            models.Index(fields=["-created_at", "-id"], name="ordering_order_newest"),
            models.Index(fields=["process_state", "-created_at"], name="ordering_order_state_new"),
            models.Index(fields=["po_number"], name="ordering_order_po"),
            # The credit check sums a company's open, unsettled orders on every placement:
            # an index-only scan over just those rows.
            models.Index(
                fields=["company"],
                include=["total", "amount_paid"],
                condition=models.Q(
                    process_state__in=sorted(OPEN_PROCESS_STATES),
                    payment_state__in=sorted(UNSETTLED_PAYMENT_STATES),
                ),
                name="ordering_order_open_exposure",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0), name="ordering_order_total"),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=16)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=14, decimal_places=4)
    price_source = models.CharField(max_length=16)
    price_reason = models.CharField(max_length=120, blank=True, default="")
    line_total = models.DecimalField(max_digits=14, decimal_places=2)
    quantity_shipped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["product", "order"], name="ordering_line_product")]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="ordering_line_qty"),
            models.CheckConstraint(
                condition=models.Q(quantity_shipped__lte=models.F("quantity")),
                name="ordering_line_not_overshipped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"

    @property
    def quantity_open(self) -> int:
        return self.quantity - self.quantity_shipped


class OrderEvent(models.Model):
    """One line of an order's timeline: a move on one axis, by whom, with what comment."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    axis = models.CharField(max_length=12, choices=Axis.choices)
    from_state = models.CharField(max_length=20, blank=True, default="")
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True, default="")
    comment = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.axis}: {self.from_state} → {self.to_state}"


class StockReservation(models.Model):
    """Units of one order line held in one warehouse from confirmation until they ship."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="reservations")
    stock = models.ForeignKey("catalog.StockLevel", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.line_id}"


class Carrier(models.Model):
    """A carrier and how to turn a tracking number into a link."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=80, unique=True)
    tracking_url_template = models.CharField(
        max_length=300, help_text="A link with {tracking} where the tracking number goes."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Shipment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.ForeignKey(
        Carrier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    carrier_name = models.CharField(max_length=80)
    tracking_number = models.CharField(max_length=64, blank=True, default="")
    tracking_url = models.URLField(max_length=400, blank=True, default="")
    shipped_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["shipped_at", "id"]

    def __str__(self) -> str:
        return f"{self.carrier_name} {self.tracking_number}".strip()


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="shipment_lines")
    quantity = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.quantity} of line {self.line_id}"


class Notification(models.Model):
    """An in-app notification for one user (the e-mail goes through the outbox)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="")
    link = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="ordering_notif_user_new"),
            # The unread count in every page's navigation reads only the unread rows.
            models.Index(
                fields=["user"],
                condition=models.Q(read_at__isnull=True),
                name="ordering_notif_unread",
            ),
        ]

    def __str__(self) -> str:
        return self.title
