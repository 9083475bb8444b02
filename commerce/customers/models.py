"""Buyer companies, their people, addresses and cost centres (tenant schema)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models

from commerce.customers.choices import (
    COUNTRY_CHOICES,
    CompanyStatus,
    MemberRole,
    PaymentTerms,
    TwoFactorPolicy,
)


class Company(models.Model):
    """A buyer company of this supplier.

    Guarantees: ``vat_id`` matches its country's format when given; ``credit_limit`` is a
    non-negative Decimal in the portal's currency; a company on hold carries a reason; when
    ``assortment_restricted`` is set, its members see only ``assortment`` products.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    external_ref = models.CharField(max_length=64, blank=True, default="")
    name = models.CharField(max_length=200)
    vat_id = models.CharField(max_length=20, blank=True, default="")
    billing_line1 = models.CharField(max_length=200)
    billing_line2 = models.CharField(max_length=200, blank=True, default="")
    billing_postcode = models.CharField(max_length=12)
    billing_city = models.CharField(max_length=100)
    billing_country = models.CharField(max_length=2, choices=COUNTRY_CHOICES)
    payment_terms = models.CharField(
        max_length=16, choices=PaymentTerms.choices, default=PaymentTerms.PREPAYMENT
    )
    net_days = models.PositiveSmallIntegerField(null=True, blank=True)
    credit_limit = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    status = models.CharField(
        max_length=16, choices=CompanyStatus.choices, default=CompanyStatus.ACTIVE
    )
    hold_reason = models.CharField(max_length=300, blank=True, default="")
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_companies",
    )
    assortment_restricted = models.BooleanField(default=False)
    # Ordering rules: orders above the threshold go to the company's approvers; a PO number
    # may be required on every order.
    approval_threshold = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    po_required = models.BooleanField(default=False)
    # Two-factor sign-in for the company's members (sso.selectors.policy_for reads it at sign-in).
    two_factor_policy = models.CharField(
        max_length=16, choices=TwoFactorPolicy.choices, default=TwoFactorPolicy.OPTIONAL
    )
    assortment = models.ManyToManyField("catalog.Product", blank=True, related_name="+")
    price_lists = models.ManyToManyField("pricing.PriceList", blank=True, related_name="companies")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~models.Q(external_ref=""),
                name="customers_company_external_ref_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(credit_limit__gte=0),
                name="customers_company_credit_limit_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def terms_label(self) -> str:
        if self.payment_terms == PaymentTerms.NET and self.net_days:
            return f"Net {self.net_days} days"
        return self.get_payment_terms_display()


class DeliveryAddress(models.Model):
    """A place a company receives goods. Exactly one per company may be the default."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(max_length=80)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True, default="")
    postcode = models.CharField(max_length=12)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=2, choices=COUNTRY_CHOICES)
    is_default = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-is_default", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"],
                condition=models.Q(is_default=True),
                name="customers_one_default_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.line1}, {self.postcode} {self.city}"


class CostCentre(models.Model):
    """A budget line inside a company that orders can be booked to."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="cost_centres")
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=120)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="customers_cost_centre_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Membership(models.Model):
    """A buyer-side user's place in exactly one company, with a role.

    Guarantees: one membership per user (a user can never belong to two companies); approvers
    carry a non-negative ``approval_limit``; deactivated members cannot sign in.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=16, choices=MemberRole.choices, default=MemberRole.BUYER)
    approval_limit = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # A buyer's own limit per order: above it, the order needs an approver.
    order_limit = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company} ({self.role})"


class Invitation(models.Model):
    """An invitation to join a company. Single-use, expiring; only the token's hash is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=150, blank=True, default="")
    role = models.CharField(max_length=16, choices=MemberRole.choices, default=MemberRole.BUYER)
    approval_limit = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation of {self.email} to {self.company}"
