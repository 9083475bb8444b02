"""Price list, volume break and contract price writes (administrators, account managers)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q

from audit.services import audit_record, changes_between, snapshot
from commerce.catalog.cache import invalidates_catalogue
from commerce.catalog.models import Product
from commerce.customers.models import Company
from commerce.pricing.errors import PricingError
from commerce.pricing.models import ContractPrice, PriceList, PriceListItem
from commerce.pricing.policies import require_pricing_editor
from commerce.selectors import portal_settings
from core.money import MoneyError, parse_amount, quantize_unit_price

LIST_FIELDS = ("name", "currency", "priority", "is_default", "active", "external_ref")
CONTRACT_FIELDS = ("unit_price", "valid_from", "valid_to", "external_ref")


def _price(raw: object, field: str = "unit_price") -> Decimal:
    try:
        value = parse_amount(raw)
    except MoneyError as exc:
        raise PricingError("bad_price", str(exc), field=field) from exc
    if value < 0:
        raise PricingError(
            "negative_price", f"A price cannot be negative (got {value}).", field=field
        )
    if value.as_tuple().exponent < -4:  # type: ignore[operator]
        raise PricingError(
            "too_precise", f"Prices carry at most 4 decimals; {value} has more.", field=field
        )
    return quantize_unit_price(value)


def _check_list(name: str, currency: str, priority: int) -> None:
    if not name.strip():
        raise PricingError("name_required", "Give the price list a name.", field="name")
    portal_currency = portal_settings().currency
    if currency != portal_currency:
        raise PricingError(
            "currency_mismatch",
            f"This portal sells in {portal_currency}; price lists must be in {portal_currency}.",
            field="currency",
        )
    if priority < 0:
        raise PricingError(
            "bad_priority", "Priority is a whole number, 0 or more.", field="priority"
        )


def _save_list(price_list: PriceList, actor: Any, action: str, before: dict[str, Any]) -> None:
    try:
        with transaction.atomic():
            if price_list.is_default:
                PriceList.objects.filter(is_default=True).exclude(pk=price_list.pk).update(
                    is_default=False
                )
            price_list.save()
    except IntegrityError as exc:
        raise PricingError(
            "external_ref_taken",
            f"Another price list already has the reference “{price_list.external_ref}”.",
            field="external_ref",
        ) from exc
    audit_record(
        action=action,
        actor=actor,
        obj=price_list,
        changes=changes_between(before, snapshot(price_list, LIST_FIELDS)),
    )


@invalidates_catalogue
def price_list_create(
    *,
    actor: Any,
    name: str,
    priority: int = 100,
    is_default: bool = False,
    active: bool = True,
    external_ref: str = "",
    currency: str | None = None,
) -> PriceList:
    """A new price list in the portal's currency. Making it the default unmarks the old one."""
    require_pricing_editor(actor)
    currency = currency or portal_settings().currency
    _check_list(name, currency, priority)
    with transaction.atomic():
        price_list = PriceList(
            name=name.strip(),
            currency=currency,
            priority=priority,
            is_default=is_default,
            active=active,
            external_ref=external_ref.strip(),
        )
        _save_list(price_list, actor, "price_list.created", {})
    return price_list


@invalidates_catalogue
def price_list_update(
    *,
    actor: Any,
    price_list: PriceList,
    name: str,
    priority: int,
    is_default: bool,
    active: bool,
    external_ref: str = "",
) -> PriceList:
    require_pricing_editor(actor)
    _check_list(name, price_list.currency, priority)
    with transaction.atomic():
        locked = PriceList.objects.select_for_update().get(pk=price_list.pk)
        before = snapshot(locked, LIST_FIELDS)
        locked.name, locked.priority = name.strip(), priority
        locked.is_default, locked.active = is_default, active
        locked.external_ref = external_ref.strip()
        _save_list(locked, actor, "price_list.updated", before)
    return locked


@invalidates_catalogue
def price_list_item_set(
    *,
    actor: Any,
    price_list: PriceList,
    product: Product,
    min_quantity: int,
    unit_price: object,
) -> PriceListItem:
    """Set the price of ``product`` in ``price_list`` from ``min_quantity`` units on (a base
    price when 1, a volume break otherwise). Replaces an existing row for that break."""
    require_pricing_editor(actor)
    if min_quantity < 1:
        raise PricingError(
            "bad_quantity",
            f"A break starts at 1 unit or more (got {min_quantity}).",
            field="min_quantity",
        )
    price = _price(unit_price)
    with transaction.atomic():
        item, created = PriceListItem.objects.select_for_update().get_or_create(
            price_list=price_list,
            product=product,
            min_quantity=min_quantity,
            defaults={"unit_price": price},
        )
        before = None if created else str(item.unit_price)
        if not created and item.unit_price != price:
            item.unit_price = price
            item.save(update_fields=["unit_price"])
        if created or before != str(price):
            audit_record(
                action="price_list.item_set",
                actor=actor,
                obj=price_list,
                changes={"unit_price": [before, str(price)]},
                details={"sku": product.sku, "min_quantity": min_quantity},
            )
    return item


@invalidates_catalogue
def price_list_item_delete(*, actor: Any, item: PriceListItem) -> None:
    require_pricing_editor(actor)
    with transaction.atomic():
        audit_record(
            action="price_list.item_deleted",
            actor=actor,
            obj=item.price_list,
            changes={"unit_price": [str(item.unit_price), None]},
            details={"sku": item.product.sku, "min_quantity": item.min_quantity},
        )
        item.delete()


def _check_contract(
    company: Company,
    product: Product,
    valid_from: date,
    valid_to: date | None,
    exclude_pk: int | None = None,
) -> None:
    if valid_to is not None and valid_to < valid_from:
        raise PricingError(
            "dates_reversed",
            f"The contract ends ({valid_to:%d %b %Y}) before it starts ({valid_from:%d %b %Y}).",
            field="valid_to",
        )
    overlapping = ContractPrice.objects.filter(company=company, product=product).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    )
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=valid_to)
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    clash = overlapping.order_by("valid_from").first()
    if clash is not None:
        until = f"{clash.valid_to:%d %b %Y}" if clash.valid_to else "open-ended"
        raise PricingError(
            "overlap",
            f"{company.name} already has a contract price for {product.sku} from "
            f"{clash.valid_from:%d %b %Y} ({until}). End that one first, or choose dates "
            "that do not overlap.",
            field="valid_from",
        )


@invalidates_catalogue
def contract_price_create(
    *,
    actor: Any,
    company: Company,
    product: Product,
    unit_price: object,
    valid_from: date,
    valid_to: date | None = None,
    external_ref: str = "",
) -> ContractPrice:
    """A contract price for one company and product. Periods of one company/product never
    overlap, so at most one contract applies on any day."""
    require_pricing_editor(actor)
    price = _price(unit_price)
    with transaction.atomic():
        Company.objects.select_for_update().get(pk=company.pk)  # serialise overlap checks
        _check_contract(company, product, valid_from, valid_to)
        contract = ContractPrice.objects.create(
            company=company,
            product=product,
            unit_price=price,
            valid_from=valid_from,
            valid_to=valid_to,
            external_ref=external_ref.strip(),
        )
        audit_record(
            action="contract_price.created",
            actor=actor,
            obj=company,
            object_type="pricing.contractprice",
            object_id=str(contract.public_id),
            changes=changes_between({}, snapshot(contract, CONTRACT_FIELDS)),
            details={"company": str(company.public_id), "sku": product.sku},
        )
    return contract


@invalidates_catalogue
def contract_price_update(
    *,
    actor: Any,
    contract: ContractPrice,
    unit_price: object,
    valid_from: date,
    valid_to: date | None,
) -> ContractPrice:
    require_pricing_editor(actor)
    price = _price(unit_price)
    with transaction.atomic():
        Company.objects.select_for_update().get(pk=contract.company_id)
        locked = ContractPrice.objects.select_related("company", "product").get(pk=contract.pk)
        _check_contract(locked.company, locked.product, valid_from, valid_to, exclude_pk=locked.pk)
        before = snapshot(locked, CONTRACT_FIELDS)
        locked.unit_price, locked.valid_from, locked.valid_to = price, valid_from, valid_to
        locked.save(update_fields=["unit_price", "valid_from", "valid_to"])
        audit_record(
            action="contract_price.updated",
            actor=actor,
            obj=locked.company,
            object_type="pricing.contractprice",
            object_id=str(locked.public_id),
            changes=changes_between(before, snapshot(locked, CONTRACT_FIELDS)),
            details={"company": str(locked.company.public_id), "sku": locked.product.sku},
        )
    return locked


@invalidates_catalogue
def contract_price_delete(*, actor: Any, contract: ContractPrice) -> None:
    require_pricing_editor(actor)
    with transaction.atomic():
        audit_record(
            action="contract_price.deleted",
            actor=actor,
            obj=contract.company,
            object_type="pricing.contractprice",
            object_id=str(contract.public_id),
            changes=changes_between(snapshot(contract, CONTRACT_FIELDS), {}),
            details={"company": str(contract.company.public_id), "sku": contract.product.sku},
        )
        contract.delete()
