"""Delivery address writes: one default per company, deactivation hands the default on."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.services import audit_record, changes_between, snapshot
from commerce.customers.errors import CustomerError
from commerce.customers.models import Company, DeliveryAddress
from commerce.customers.policies import require_company_manager
from commerce.customers.services.common import (
    CustomerAction,
    audit_details,
    check_country,
    check_postcode,
    problem,
    raise_if,
)

# --- Delivery addresses -----------------------------------------------------------------------

ADDRESS_FIELDS = ("label", "line1", "line2", "postcode", "city", "country", "is_default", "active")


def _clean_address(
    *, label: str, line1: str, line2: str, postcode: str, city: str, country: str
) -> dict[str, str]:
    problems: list[CustomerError] = []
    values = {
        "label": label.strip(),
        "line1": line1.strip(),
        "line2": line2.strip(),
        "postcode": postcode.strip().upper(),
        "city": city.strip(),
        "country": country,
    }
    if not values["label"]:
        problems.append(
            problem("label_required", "Name the address, for example “Main warehouse”.", "label")
        )
    if not values["line1"]:
        problems.append(problem("line1_required", "Enter the street and number.", "line1"))
    if not values["city"]:
        problems.append(problem("city_required", "Enter the city.", "city"))
    country_problem = check_country(country, "country")
    postcode_problem = (
        None if country_problem else check_postcode(values["postcode"], country, "postcode")
    )
    problems += [p for p in (country_problem, postcode_problem) if p]
    raise_if(problems)
    return values


def _make_default(address: DeliveryAddress) -> None:
    DeliveryAddress.objects.filter(company_id=address.company_id, is_default=True).exclude(
        pk=address.pk
    ).update(is_default=False)


def address_create(
    *,
    actor: Any,
    company: Company,
    label: str,
    line1: str,
    postcode: str,
    city: str,
    country: str,
    line2: str = "",
    is_default: bool = False,
) -> DeliveryAddress:
    """Add a delivery address. The company's first active address becomes its default; making
    an address the default takes it from the previous one (one default per company)."""
    require_company_manager(actor, company.pk)
    with transaction.atomic():
        Company.objects.select_for_update().filter(pk=company.pk).first()
        values = _clean_address(
            label=label, line1=line1, line2=line2, postcode=postcode, city=city, country=country
        )
        first = not company.addresses.filter(active=True).exists()
        address = DeliveryAddress(company=company, **values, is_default=is_default or first)
        if address.is_default:
            _make_default(address)
        address.save()
        audit_record(
            action=CustomerAction.ADDRESS_CREATED,
            actor=actor,
            obj=address,
            changes=changes_between({}, snapshot(address, ADDRESS_FIELDS)),
            details=audit_details(company),
        )
    return address


def address_update(
    *,
    actor: Any,
    address: DeliveryAddress,
    label: str,
    line1: str,
    postcode: str,
    city: str,
    country: str,
    line2: str = "",
    is_default: bool = False,
) -> DeliveryAddress:
    """Change an active address; ``is_default=True`` makes it the company's default (the
    default stays the default: choose another address as default instead)."""
    require_company_manager(actor, address.company_id)
    with transaction.atomic():
        locked = DeliveryAddress.objects.select_for_update().get(pk=address.pk)
        if not locked.active:
            raise CustomerError(
                "address_inactive", "This address is deactivated; add a new one instead."
            )
        values: dict[str, Any] = _clean_address(
            label=label, line1=line1, line2=line2, postcode=postcode, city=city, country=country
        )
        values["is_default"] = locked.is_default or is_default
        before = snapshot(locked, ADDRESS_FIELDS)
        changed = [k for k, v in values.items() if getattr(locked, k) != v]
        for key in changed:
            setattr(locked, key, values[key])
        if "is_default" in changed:
            _make_default(locked)
        if changed:
            locked.save(update_fields=changed)
            audit_record(
                action=CustomerAction.ADDRESS_UPDATED,
                actor=actor,
                obj=locked,
                changes=changes_between(before, snapshot(locked, ADDRESS_FIELDS)),
                details=audit_details(locked.company),
            )
    return locked


def address_deactivate(*, actor: Any, address: DeliveryAddress) -> DeliveryAddress:
    """Retire an address (orders keep their copy). If it was the default, the next active
    address (by label) becomes the default."""
    require_company_manager(actor, address.company_id)
    with transaction.atomic():
        locked = DeliveryAddress.objects.select_for_update().get(pk=address.pk)
        if not locked.active:
            return locked
        before = snapshot(locked, ADDRESS_FIELDS)
        was_default = locked.is_default
        locked.active, locked.is_default = False, False
        locked.save(update_fields=["active", "is_default"])
        successor = None
        if was_default:
            successor = (
                DeliveryAddress.objects.filter(company_id=locked.company_id, active=True)
                .order_by("label", "id")
                .first()
            )
            if successor is not None:
                successor.is_default = True
                successor.save(update_fields=["is_default"])
        audit_record(
            action=CustomerAction.ADDRESS_DEACTIVATED,
            actor=actor,
            obj=locked,
            changes=changes_between(before, snapshot(locked, ADDRESS_FIELDS)),
            details=audit_details(
                locked.company, new_default=str(successor.public_id) if successor else ""
            ),
        )
    return locked
