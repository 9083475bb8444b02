"""Shared pieces of the customers services: audit action codes, field checks, money parsing."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db import models

from commerce.customers.choices import COUNTRY_CHOICES, POSTCODE_PATTERNS, VAT_PATTERNS
from commerce.customers.errors import CustomerError, CustomerInvalid
from commerce.customers.models import Company
from commerce.selectors import portal_settings
from core.money import MoneyError, parse_amount, quantize

INVITATION_DAYS = 7
MAX_NET_DAYS = 365
MAX_AMOUNT = Decimal("999999999999.99")
COUNTRY_NAMES = dict(COUNTRY_CHOICES)


class CustomerAction(models.TextChoices):
    """Audit action codes of this domain, with the words shown on the company's trail."""

    COMPANY_CREATED = "company.created", "Company created"
    COMPANY_UPDATED = "company.updated", "Company changed"
    ADDRESS_CREATED = "company.address_created", "Delivery address added"
    ADDRESS_UPDATED = "company.address_updated", "Delivery address changed"
    ADDRESS_DEACTIVATED = "company.address_deactivated", "Delivery address deactivated"
    COST_CENTRE_CREATED = "company.cost_centre_created", "Cost centre added"
    COST_CENTRE_UPDATED = "company.cost_centre_updated", "Cost centre changed"
    COST_CENTRE_DEACTIVATED = "company.cost_centre_deactivated", "Cost centre deactivated"
    MEMBER_INVITED = "company.member_invited", "Member invited"
    INVITATION_RESENT = "company.invitation_resent", "Invitation sent again"
    INVITATION_REVOKED = "company.invitation_revoked", "Invitation withdrawn"
    MEMBER_JOINED = "company.member_joined", "Member joined"
    MEMBER_ROLE_CHANGED = "company.member_role_changed", "Member role changed"
    MEMBER_DEACTIVATED = "company.member_deactivated", "Member deactivated"


def problem(code: str, message: str, field_name: str) -> CustomerError:
    return CustomerError(code, message, field=field_name)


def raise_if(problems: list[CustomerError]) -> None:
    if problems:
        raise CustomerInvalid(problems)


def audit_details(company: Company, **extra: Any) -> dict[str, Any]:
    return {"company": str(company.public_id), **extra}


# --- Shared checks ----------------------------------------------------------------------------


def normalise_vat_id(raw: str) -> str:
    return re.sub(r"[\s.\-]", "", raw or "").upper()


def check_vat_id(vat_id: str, country: str) -> CustomerError | None:
    """None when ``vat_id`` (normalised) is empty or fits the country's format."""
    pattern = VAT_PATTERNS.get(country)
    if not vat_id or pattern is None or re.fullmatch(pattern[0], vat_id):
        return None
    return problem(
        "vat_id_format",
        f"“{vat_id}” is not a valid VAT id for {COUNTRY_NAMES.get(country, country)}: "
        f"use {pattern[1]}.",
        "vat_id",
    )


def check_postcode(postcode: str, country: str, field_name: str) -> CustomerError | None:
    pattern = POSTCODE_PATTERNS.get(country)
    if not postcode:
        return problem("postcode_required", "Enter the postcode.", field_name)
    if pattern is None or re.fullmatch(pattern[0], postcode):
        return None
    hint = pattern[1]
    advice = f"write it {hint}" if hint.startswith("like ") else f"use {hint}"
    return problem(
        "postcode_format",
        f"“{postcode}” is not a valid postcode for {COUNTRY_NAMES.get(country, country)}: "
        f"{advice}.",
        field_name,
    )


def check_country(country: str, field_name: str) -> CustomerError | None:
    if country in COUNTRY_NAMES:
        return None
    return problem("country_unknown", "Choose the country from the list.", field_name)


def parse_money(
    raw: Any, field_name: str, what: str
) -> tuple[Decimal | None, CustomerError | None]:
    """A non-negative amount in the portal's currency, or the problem with it."""
    if isinstance(raw, Decimal):
        value = raw
    else:
        try:
            value = parse_amount(raw)
        except MoneyError as exc:
            return None, problem("amount_format", f"{what}: {exc}.", field_name)
    if value < 0:
        return None, problem("amount_negative", f"{what} cannot be negative.", field_name)
    if value > MAX_AMOUNT:
        return None, problem(
            "amount_too_large", f"{what} is too large; the most is {MAX_AMOUNT:,}.", field_name
        )
    return quantize(value, portal_settings().currency), None


def parse_optional_money(
    raw: Any, field_name: str, what: str, *, negative: str
) -> tuple[Decimal | None, CustomerError | None]:
    """Like ``parse_money``, but empty input means "no amount" (None), and a negative amount
    is refused with ``negative`` (which says what empty and zero mean for this field)."""
    if raw is None or str(raw).strip() == "":
        return None, None
    value, money_problem = parse_money(raw, field_name, what)
    if money_problem is not None and money_problem.code == "amount_negative":
        return None, problem("amount_negative", negative, field_name)
    return value, money_problem
