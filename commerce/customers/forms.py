"""Forms of the customers pages: they parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts

from commerce.customers.choices import (
    COUNTRY_CHOICES,
    CompanyStatus,
    MemberRole,
    PaymentTerms,
    TwoFactorPolicy,
)
from commerce.customers.models import Company, Membership
from commerce.customers.selectors import staff_users
from commerce.pricing.models import PriceList
from core.forms import StyledForm


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else str(obj.email)


class CompanyForm(StyledForm):
    name = forms.CharField(label="Legal name", max_length=200)
    vat_id = forms.CharField(
        label="VAT id",
        max_length=20,
        required=False,
        help_text="With its country prefix, e.g. DE123456789. Spaces and dots are ignored.",
    )
    billing_line1 = forms.CharField(label="Billing address", max_length=200)
    billing_line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    billing_postcode = forms.CharField(label="Postcode", max_length=12)
    billing_city = forms.CharField(label="City", max_length=100)
    billing_country = forms.ChoiceField(label="Country", choices=COUNTRY_CHOICES)
    payment_terms = forms.ChoiceField(label="Payment terms", choices=PaymentTerms.choices)
    net_days = forms.IntegerField(
        label="Net days", required=False, help_text="Only for net terms, e.g. 30."
    )
    credit_limit = forms.CharField(label="Credit limit", max_length=20, initial="0")
    status = forms.ChoiceField(label="Status", choices=CompanyStatus.choices)
    hold_reason = forms.CharField(
        label="Reason for the hold",
        max_length=300,
        required=False,
        help_text="Required when the company is on hold; its buyers see it.",
    )
    account_manager = StaffChoiceField(
        label="Account manager", queryset=staff_users(), required=False, to_field_name="public_id"
    )
    price_lists = forms.ModelMultipleChoiceField(
        label="Price lists",
        queryset=PriceList.objects.filter(active=True).order_by("priority", "name"),
        required=False,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    approval_threshold = forms.CharField(
        label="Approval threshold",
        max_length=20,
        required=False,
        help_text="Orders above this amount go to one of the company's approvers first. Empty: "
        "no approval needed; 0: every order needs approval.",
    )
    po_required = forms.BooleanField(label="A PO number is required on every order", required=False)
    two_factor_policy = forms.ChoiceField(
        label="Two-factor sign-in for its members",
        choices=TwoFactorPolicy.choices,
        initial=TwoFactorPolicy.OPTIONAL,
        required=False,
        help_text="Required: members without an authenticator app set one up at their next "
        "sign-in. Off: members are not offered it.",
    )
    assortment_restricted = forms.BooleanField(
        label="Restrict the assortment to the SKUs below", required=False
    )
    assortment_skus = forms.CharField(
        label="Assortment SKUs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One SKU per line (or separated by commas).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account_manager"].queryset = staff_users()  # type: ignore[attr-defined]
        self.fields["price_lists"].queryset = PriceList.objects.filter(  # type: ignore[attr-defined]
            active=True
        ).order_by("priority", "name")

    def clean_two_factor_policy(self) -> str | None:
        """Empty (a client that does not send the field) leaves the policy as it is."""
        return self.cleaned_data.get("two_factor_policy") or None

    def clean_assortment_skus(self) -> list[str]:
        raw: str = self.cleaned_data.get("assortment_skus") or ""
        return [part.strip() for part in raw.replace(",", "\n").splitlines() if part.strip()]

    @staticmethod
    def initial_for(company: Company) -> dict[str, Any]:
        return {
            "name": company.name,
            "vat_id": company.vat_id,
            "billing_line1": company.billing_line1,
            "billing_line2": company.billing_line2,
            "billing_postcode": company.billing_postcode,
            "billing_city": company.billing_city,
            "billing_country": company.billing_country,
            "payment_terms": company.payment_terms,
            "net_days": company.net_days,
            "credit_limit": company.credit_limit,
            "status": company.status,
            "hold_reason": company.hold_reason,
            "account_manager": company.account_manager.public_id
            if company.account_manager
            else None,
            "price_lists": [pl.public_id for pl in company.price_lists.all()],
            "approval_threshold": ""
            if company.approval_threshold is None
            else company.approval_threshold,
            "po_required": company.po_required,
            "two_factor_policy": company.two_factor_policy,
            "assortment_restricted": company.assortment_restricted,
            "assortment_skus": "\n".join(sorted(p.sku for p in company.assortment.all())),
        }


class AddressForm(StyledForm):
    label = forms.CharField(label="Name", max_length=80, help_text="E.g. Main warehouse.")
    line1 = forms.CharField(label="Street and number", max_length=200)
    line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    postcode = forms.CharField(label="Postcode", max_length=12)
    city = forms.CharField(label="City", max_length=100)
    country = forms.ChoiceField(label="Country", choices=COUNTRY_CHOICES)
    is_default = forms.BooleanField(label="Default delivery address", required=False)


class CostCentreForm(StyledForm):
    code = forms.CharField(label="Code", max_length=32)
    name = forms.CharField(label="Name", max_length=120)


class InvitationForm(StyledForm):
    email = forms.EmailField(label="E-mail")
    full_name = forms.CharField(label="Name", max_length=150, required=False)
    role = forms.ChoiceField(label="Role", choices=MemberRole.choices, initial=MemberRole.BUYER)
    approval_limit = forms.CharField(
        label="Approval limit",
        max_length=20,
        required=False,
        help_text="Approvers only: the order amount up to which they may approve.",
    )


class MemberRoleForm(StyledForm):
    role = forms.ChoiceField(label="Role", choices=MemberRole.choices)
    approval_limit = forms.CharField(
        label="Approval limit",
        max_length=20,
        required=False,
        help_text="Approvers only: the order amount up to which they may approve.",
    )
    order_limit = forms.CharField(
        label="Own order limit",
        max_length=20,
        required=False,
        help_text="Buyers, approvers and company admins: orders they place above this amount "
        "need an approver. Empty: no limit of their own.",
    )

    @staticmethod
    def initial_for(membership: Membership) -> dict[str, Any]:
        def text(value: Any) -> Any:
            return "" if value is None else value

        return {
            "role": membership.role,
            "approval_limit": text(membership.approval_limit),
            "order_limit": text(membership.order_limit),
        }


class AcceptInvitationForm(StyledForm):
    full_name = forms.CharField(
        label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=" ".join(password_validators_help_texts()),
    )
