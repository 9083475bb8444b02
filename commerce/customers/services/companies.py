"""Company writes: create and update (details, terms, status, assignments)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from audit.services import audit_record, changes_between, snapshot
from commerce.catalog.cache import invalidates_catalogue
from commerce.catalog.models import Product
from commerce.customers.choices import CompanyStatus, PaymentTerms, TwoFactorPolicy
from commerce.customers.errors import CustomerError
from commerce.customers.models import Company
from commerce.customers.policies import is_staff, require_customer_editor
from commerce.customers.services.common import (
    MAX_NET_DAYS,
    CustomerAction,
    audit_details,
    check_country,
    check_postcode,
    check_vat_id,
    normalise_vat_id,
    parse_money,
    parse_optional_money,
    problem,
    raise_if,
)
from commerce.pricing.models import PriceList

# --- Companies --------------------------------------------------------------------------------


@dataclass
class CompanyInput:
    """What the supplier sets on a company (the back-office form and the integration API)."""

    name: str
    billing_line1: str
    billing_postcode: str
    billing_city: str
    billing_country: str
    vat_id: str = ""
    billing_line2: str = ""
    payment_terms: str = PaymentTerms.PREPAYMENT
    net_days: int | None = None
    credit_limit: Any = "0"
    status: str = CompanyStatus.ACTIVE
    hold_reason: str = ""
    account_manager: Any = None
    price_lists: list[PriceList] = field(default_factory=list)
    assortment_restricted: bool = False
    assortment_skus: list[str] = field(default_factory=list)
    # The supplier's own id for the company (ERP); None leaves it as it is (the back-office form).
    external_ref: str | None = None
    # Ordering rules: orders above the threshold need one of the company's approvers (empty:
    # none do; 0: every order does); a PO number may be required on every order.
    approval_threshold: Any = None
    po_required: bool = False
    # Two-factor sign-in for the members (off, optional, required); None leaves it as it is
    # (the integration API: a security setting is the portal's, not the ERP's).
    two_factor_policy: str | None = None


COMPANY_FIELDS = (
    "name",
    "vat_id",
    "billing_line1",
    "billing_line2",
    "billing_postcode",
    "billing_city",
    "billing_country",
    "payment_terms",
    "net_days",
    "credit_limit",
    "status",
    "hold_reason",
    "account_manager_id",
    "assortment_restricted",
    "external_ref",
    "approval_threshold",
    "po_required",
    "two_factor_policy",
)


@dataclass
class _CleanCompany:
    values: dict[str, Any]
    price_lists: list[PriceList]
    products: list[Product]


def _check_terms(data: CompanyInput, problems: list[CustomerError]) -> None:
    if data.payment_terms not in PaymentTerms.values:
        problems.append(
            problem("terms_unknown", "Choose prepayment, card or net terms.", "payment_terms")
        )
    elif data.payment_terms == PaymentTerms.NET:
        if data.net_days is None:
            problems.append(
                problem(
                    "net_days_required",
                    "Enter the number of days for net terms, for example 30.",
                    "net_days",
                )
            )
        elif not 1 <= data.net_days <= MAX_NET_DAYS:
            problems.append(
                problem(
                    "net_days_range",
                    f"Net terms must be between 1 and {MAX_NET_DAYS} days; got {data.net_days}.",
                    "net_days",
                )
            )
    elif data.net_days is not None:
        problems.append(
            problem(
                "net_days_unexpected",
                "Days apply to net terms only: clear the days or choose net terms.",
                "net_days",
            )
        )


def _check_status(data: CompanyInput, problems: list[CustomerError]) -> str:
    reason = data.hold_reason.strip()
    if data.status not in CompanyStatus.values:
        problems.append(problem("status_unknown", "Choose active or on hold.", "status"))
    elif data.status == CompanyStatus.ON_HOLD and not reason:
        problems.append(
            problem(
                "hold_reason_required",
                "Say why the company is on hold; its buyers see this reason.",
                "hold_reason",
            )
        )
    return reason if data.status == CompanyStatus.ON_HOLD else ""


def _check_account_manager(manager: Any, problems: list[CustomerError]) -> None:
    if manager is not None and not (is_staff(manager) and manager.is_active):
        problems.append(
            problem(
                "account_manager_invalid",
                "Choose an active member of your staff as account manager.",
                "account_manager",
            )
        )


def _check_assortment(data: CompanyInput, problems: list[CustomerError]) -> list[Product]:
    skus = sorted({sku.strip() for sku in data.assortment_skus if sku.strip()})
    products = list(Product.objects.filter(sku__in=skus).order_by("sku"))
    unknown = sorted(set(skus) - {p.sku for p in products})
    if unknown:
        problems.append(
            problem(
                "assortment_unknown_sku",
                f"Unknown SKUs: {', '.join(unknown)}. Check them against the catalogue.",
                "assortment_skus",
            )
        )
    elif data.assortment_restricted and not products:
        problems.append(
            problem(
                "assortment_empty",
                "List at least one SKU for a restricted assortment, or turn the restriction off.",
                "assortment_skus",
            )
        )
    return products


def _check_external_ref(ref: str, exclude: int | None, problems: list[CustomerError]) -> None:
    if len(ref) > 64:
        problems.append(
            problem(
                "external_ref_too_long",
                "The external reference has at most 64 characters.",
                "external_ref",
            )
        )
        return
    clash = Company.objects.filter(external_ref=ref)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    owner = clash.only("name").first() if ref else None
    if owner is not None:
        problems.append(
            problem(
                "external_ref_taken",
                f"The external reference “{ref}” already belongs to {owner.name}.",
                "external_ref",
            )
        )


def _check_two_factor_policy(policy: str | None, problems: list[CustomerError]) -> None:
    if policy is not None and policy not in TwoFactorPolicy.values:
        problems.append(
            problem(
                "two_factor_policy_unknown",
                "Choose off, optional or required for two-factor sign-in.",
                "two_factor_policy",
            )
        )


def _clean_company(data: CompanyInput, exclude: int | None = None) -> _CleanCompany:
    problems: list[CustomerError] = []
    name = data.name.strip()
    if not name:
        problems.append(problem("name_required", "Enter the company's legal name.", "name"))
    country = data.billing_country
    country_problem = check_country(country, "billing_country")
    vat_id = normalise_vat_id(data.vat_id)
    postcode = data.billing_postcode.strip().upper()
    if country_problem:
        problems.append(country_problem)
    else:
        problems += [
            p
            for p in (
                check_vat_id(vat_id, country),
                check_postcode(postcode, country, "billing_postcode"),
            )
            if p
        ]
    if not data.billing_line1.strip():
        problems.append(problem("line1_required", "Enter the street and number.", "billing_line1"))
    if not data.billing_city.strip():
        problems.append(problem("city_required", "Enter the city.", "billing_city"))
    _check_terms(data, problems)
    credit_limit, money_problem = parse_money(data.credit_limit, "credit_limit", "Credit limit")
    if money_problem:
        problems.append(money_problem)
    hold_reason = _check_status(data, problems)
    threshold, threshold_problem = parse_optional_money(
        data.approval_threshold,
        "approval_threshold",
        "Approval threshold",
        negative="The approval threshold cannot be negative: leave it empty so orders need no "
        "approval, or enter 0 so every order goes to an approver.",
    )
    if threshold_problem:
        problems.append(threshold_problem)
    _check_account_manager(data.account_manager, problems)
    products = _check_assortment(data, problems)
    if data.external_ref is not None:
        _check_external_ref(data.external_ref.strip(), exclude, problems)
    _check_two_factor_policy(data.two_factor_policy, problems)
    raise_if(problems)
    values = {
        "name": name,
        "vat_id": vat_id,
        "billing_line1": data.billing_line1.strip(),
        "billing_line2": data.billing_line2.strip(),
        "billing_postcode": postcode,
        "billing_city": data.billing_city.strip(),
        "billing_country": country,
        "payment_terms": data.payment_terms,
        "net_days": data.net_days if data.payment_terms == PaymentTerms.NET else None,
        "credit_limit": credit_limit,
        "status": data.status,
        "hold_reason": hold_reason,
        "account_manager_id": data.account_manager.pk if data.account_manager else None,
        "assortment_restricted": data.assortment_restricted,
        "approval_threshold": threshold,
        "po_required": bool(data.po_required),
    }
    if data.external_ref is not None:
        values["external_ref"] = data.external_ref.strip()
    if data.two_factor_policy is not None:
        values["two_factor_policy"] = data.two_factor_policy
    return _CleanCompany(values, list(data.price_lists), products)


def _relations(company: Company) -> dict[str, list[str]]:
    return {
        "price_lists": sorted(pl.name for pl in company.price_lists.all()),
        "assortment": sorted(p.sku for p in company.assortment.all()),
    }


@invalidates_catalogue
def company_create(*, actor: Any, data: CompanyInput) -> Company:
    """Create a buyer company. Guarantees the checks of ``Company``'s docstring."""
    require_customer_editor(actor)
    with transaction.atomic():
        clean = _clean_company(data)
        company = Company(**clean.values)
        company.save()
        company.price_lists.set(clean.price_lists)
        company.assortment.set(clean.products)
        after = {**snapshot(company, COMPANY_FIELDS), **_relations(company)}
        audit_record(
            action=CustomerAction.COMPANY_CREATED,
            actor=actor,
            obj=company,
            changes=changes_between({}, after),
            details=audit_details(company),
        )
    return company


@invalidates_catalogue
def company_update(*, actor: Any, company: Company, data: CompanyInput) -> Company:
    """Change a company's details, terms, status and assignments; audited field by field."""
    require_customer_editor(actor)
    with transaction.atomic():
        locked = Company.objects.select_for_update().get(pk=company.pk)
        clean = _clean_company(data, exclude=locked.pk)
        before = {**snapshot(locked, COMPANY_FIELDS), **_relations(locked)}
        changed = [k for k, v in clean.values.items() if getattr(locked, k) != v]
        for key in changed:
            setattr(locked, key, clean.values[key])
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
        locked.price_lists.set(clean.price_lists)
        locked.assortment.set(clean.products)
        changes = changes_between(
            before, {**snapshot(locked, COMPANY_FIELDS), **_relations(locked)}
        )
        if changes:
            audit_record(
                action=CustomerAction.COMPANY_UPDATED,
                actor=actor,
                obj=locked,
                changes=changes,
                details=audit_details(locked),
            )
    return locked
