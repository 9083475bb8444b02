"""API v1: the buyer's own company and team (views + their own output serializers).

Buyers only. Anyone without a company here — supplier staff signed in, and API keys (they act
as the staff user who created them) — gets 404 ``not_found``: there is no "my company" for
them, and the answer never hints at what exists. Anonymous callers get 401.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import HasScope
from commerce.customers import selectors
from commerce.selectors import portal_settings

NOT_FOUND = {404: None}


class AddressOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    label = serializers.CharField()  # type: ignore[assignment]
    line1 = serializers.CharField()
    line2 = serializers.CharField(allow_blank=True)
    postcode = serializers.CharField()
    city = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166 alpha-2")
    is_default = serializers.BooleanField()


class CostCentreOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    code = serializers.CharField()
    name = serializers.CharField()


class BillingAddressOutput(serializers.Serializer):
    line1 = serializers.CharField(source="billing_line1")
    line2 = serializers.CharField(source="billing_line2", allow_blank=True)
    postcode = serializers.CharField(source="billing_postcode")
    city = serializers.CharField(source="billing_city")
    country = serializers.CharField(source="billing_country")


class AccountManagerOutput(serializers.Serializer):
    full_name = serializers.CharField()
    email = serializers.EmailField()


class CompanyOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField()
    vat_id = serializers.CharField(allow_blank=True)
    billing_address = BillingAddressOutput(source="*")
    payment_terms = serializers.CharField(help_text="prepayment, card or net")
    net_days = serializers.IntegerField(allow_null=True)
    terms = serializers.CharField(source="terms_label", help_text="In words, e.g. Net 30 days.")
    credit_limit = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField()
    status = serializers.CharField(help_text="active or on_hold")
    hold_reason = serializers.CharField(allow_blank=True)
    account_manager = AccountManagerOutput(allow_null=True)
    my_role = serializers.CharField()
    addresses = AddressOutput(many=True, help_text="Active delivery addresses, default first.")
    cost_centres = CostCentreOutput(many=True, help_text="Active cost centres, by code.")


class MyCompanyView(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    required_scope = "read"

    @extend_schema(
        operation_id="company_retrieve",
        summary="My company",
        description="The signed-in buyer's company with its active delivery addresses and cost "
        "centres. 404 for callers who are not buyers (staff sessions, API keys).",
        responses={200: CompanyOutput, **NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        membership = selectors.my_membership(request.user)
        company = selectors.company_detail(membership.company)
        data = {
            "public_id": company.public_id,
            "name": company.name,
            "vat_id": company.vat_id,
            "billing_line1": company.billing_line1,
            "billing_line2": company.billing_line2,
            "billing_postcode": company.billing_postcode,
            "billing_city": company.billing_city,
            "billing_country": company.billing_country,
            "payment_terms": company.payment_terms,
            "net_days": company.net_days,
            "terms_label": company.terms_label,
            "credit_limit": company.credit_limit,
            "currency": portal_settings().currency,
            "status": company.status,
            "hold_reason": company.hold_reason,
            "account_manager": company.account_manager,
            "my_role": membership.role,
            "addresses": [a for a in company.addresses.all() if a.active],
            "cost_centres": [c for c in company.cost_centres.all() if c.active],
        }
        return Response(CompanyOutput(data).data)


class MemberOutput(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    email = serializers.EmailField(source="user.email")
    full_name = serializers.CharField(source="user.full_name")
    role = serializers.CharField(help_text="buyer, approver, finance, company_admin or viewer")
    approval_limit = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="Approvers only."
    )
    active = serializers.BooleanField(source="user.is_active")


class MyTeamView(APIView):
    permission_classes = [IsAuthenticated, HasScope]
    required_scope = "read"

    @extend_schema(
        operation_id="company_members_list",
        summary="My team",
        description="Every member of the signed-in buyer's company (deactivated ones with "
        "active=false), by e-mail. 404 for callers who are not buyers.",
        responses={200: MemberOutput(many=True), **NOT_FOUND},
    )
    def get(self, request: Request) -> Response:
        membership = selectors.my_membership(request.user)
        members = selectors.company_members(company=membership.company)
        return Response(MemberOutput(members, many=True).data)


urlpatterns = [
    path("company", MyCompanyView.as_view(), name="customers-company"),
    path("company/members", MyTeamView.as_view(), name="customers-company-members"),
]
