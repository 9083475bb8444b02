"""Upserts from the supplier's own systems (ERP, PIM) through the integration API.

Every batch is all-or-nothing, like a CSV import: each item is checked, every problem is
reported against its item (``index`` from 0, ``field``, ``message``), and only a batch with no
problem is written, in one transaction, with one audit entry. Sending the same batch twice
changes nothing the second time (``unchanged``), so an ERP may retry safely.

Keys: products by SKU (their ``external_ref`` is kept and may not move to another SKU); stock by
SKU + warehouse code; price lists by external reference, then name; companies and contract
prices by external reference.

Products, stock and price lists go through the CSV import engine (``commerce.catalog.imports``),
so the rules and messages are the ones suppliers already see in their import reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from audit.services import audit_record
from commerce.catalog.cache import catalogue_changed
from commerce.catalog.imports import kinds as import_kinds
from commerce.catalog.models import Product
from commerce.catalog.policies import require_catalogue_editor
from commerce.catalog.rules import format_attributes
from commerce.customers.errors import CustomerError, CustomerInvalid
from commerce.customers.models import Company
from commerce.customers.policies import require_customer_editor
from commerce.customers.services import CompanyInput, company_create, company_update
from commerce.pricing.errors import PricingError
from commerce.pricing.models import ContractPrice, PriceList
from commerce.pricing.services import contract_price_create, contract_price_update
from core.errors import DomainError
from core.money import MoneyError, parse_amount

MAX_ITEMS = 1000
IMPORT_KINDS = {"products": "products", "stock": "stock", "price_lists": "price_lists"}


@dataclass(frozen=True)
class ItemProblem:
    index: int
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "message": self.message}


@dataclass
class UpsertResult:
    """The outcome of a batch: counts when applied, or every problem (nothing applied)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[ItemProblem] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return not self.problems


class BatchRefused(DomainError):
    """The batch has problems; ``result.problems`` lists them; nothing was written."""

    def __init__(self, result: UpsertResult) -> None:
        first = result.problems[0]
        super().__init__(
            "batch_refused",
            f"{len(result.problems)} problem(s); nothing was applied. First: item {first.index}: "
            f"{first.message}",
        )
        self.result = result


def _check_size(items: Sequence[Any]) -> None:
    if not items:
        raise DomainError("empty_batch", "Send at least one item in “items”.", field="items")
    if len(items) > MAX_ITEMS:
        raise DomainError(
            "batch_too_large",
            f"Send at most {MAX_ITEMS} items per request (got {len(items)}); split the batch.",
            field="items",
        )


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        return format_attributes(value)
    return str(value)


def _rows(
    items: Sequence[Mapping[str, Any]],
) -> tuple[list[str], list[tuple[int, dict[str, str]]], list[ItemProblem]]:
    """Items as CSV-engine rows (row number = index + 1). Every item must carry the same
    fields: a field left out of one item would otherwise blank that value."""
    columns = sorted({key for item in items for key in item})
    problems = []
    rows = []
    for index, item in enumerate(items):
        missing = [c for c in columns if c not in item]
        if missing:
            problems.append(
                ItemProblem(
                    index,
                    missing[0],
                    f"lacks {', '.join(missing)}: every item of a request carries the same fields",
                )
            )
        rows.append((index + 1, {c: _cell(item.get(c)) for c in columns}))
    return columns, rows, problems


def integration_upsert_catalogue(
    *, actor: Any, kind: str, items: Sequence[Mapping[str, Any]]
) -> UpsertResult:
    """Products, stock levels or price-list prices, through the import engine's rules."""
    require_catalogue_editor(actor)
    _check_size(items)
    columns, rows, shape_problems = _rows(items)
    required = import_kinds.REQUIRED[kind]
    absent = sorted(required - set(columns))
    if absent:
        raise DomainError(
            "missing_fields",
            f"Each item needs {', '.join(sorted(required))}; missing: {', '.join(absent)}.",
            field="items",
        )
    with transaction.atomic():
        plan = import_kinds.plan_for(kind, columns, rows, lambda done, total: None)
        result = UpsertResult(
            created=plan.create_count, updated=plan.update_count, unchanged=plan.unchanged
        )
        result.problems = shape_problems + [
            ItemProblem((e.row or 1) - 1, e.column, e.message) for e in plan.errors
        ]
        if result.problems:
            raise BatchRefused(result)
        written = import_kinds.apply_plan(kind, plan, lambda done, total: None)
        catalogue_changed()
        _audit(actor, kind, result, written)
    return result


def _audit(actor: Any, kind: str, result: UpsertResult, extra: Mapping[str, Any]) -> None:
    audit_record(
        action="integration.upserted",
        actor=actor,
        object_type=f"integration.{kind}",
        details={
            "kind": kind,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            **extra,
        },
    )


def _company_input(
    item: Mapping[str, Any], lists: Mapping[str, PriceList], company: Company | None
) -> CompanyInput:
    """The item as the service's input. The ordering rules (``approval_threshold``,
    ``po_required``) are often kept in the portal rather than the ERP: left out of an item,
    they stay as they are (``null`` clears the threshold)."""
    refs = [r for r in item.get("price_lists") or [] if r in lists]  # unknown: reported apart
    threshold = company.approval_threshold if company else None
    po_required = bool(company and company.po_required)
    return CompanyInput(
        approval_threshold=item.get("approval_threshold", threshold),
        po_required=bool(item.get("po_required", po_required)),
        name=str(item.get("name") or ""),
        vat_id=str(item.get("vat_id") or ""),
        billing_line1=str(item.get("billing_line1") or ""),
        billing_line2=str(item.get("billing_line2") or ""),
        billing_postcode=str(item.get("billing_postcode") or ""),
        billing_city=str(item.get("billing_city") or ""),
        billing_country=str(item.get("billing_country") or ""),
        payment_terms=str(item.get("payment_terms") or "prepayment"),
        net_days=item.get("net_days"),
        credit_limit=str(item.get("credit_limit") or "0"),
        status=str(item.get("status") or "active"),
        hold_reason=str(item.get("hold_reason") or ""),
        price_lists=[lists[r] for r in refs],
        external_ref=str(item["external_ref"]),
    )


def _problems_of(index: int, exc: DomainError) -> list[ItemProblem]:
    nested = getattr(exc, "problems", None)
    if nested:
        return [ItemProblem(index, p.field or "", p.message) for p in nested]
    return [ItemProblem(index, exc.field or "", exc.message)]


def integration_upsert_companies(*, actor: Any, items: Sequence[Mapping[str, Any]]) -> UpsertResult:
    """Companies by ``external_ref`` (required): created, or updated when a value differs."""
    require_customer_editor(actor)
    _check_size(items)
    result = UpsertResult()
    refs = [str(i.get("external_ref") or "") for i in items]
    lists = {pl.external_ref: pl for pl in PriceList.objects.exclude(external_ref="")}
    with transaction.atomic():
        existing = {c.external_ref: c for c in Company.objects.filter(external_ref__in=refs)}
        for index, item in enumerate(items):
            if not refs[index]:
                result.problems.append(
                    ItemProblem(index, "external_ref", "external_ref is required: it is the key")
                )
                continue
            if refs.index(refs[index]) != index:
                result.problems.append(
                    ItemProblem(
                        index,
                        "external_ref",
                        f"external_ref {refs[index]} appears again (first at item "
                        f"{refs.index(refs[index])})",
                    )
                )
                continue
            try:
                with transaction.atomic():
                    _upsert_company(actor, item, existing.get(refs[index]), lists, result)
            except (CustomerError, CustomerInvalid) as exc:
                result.problems.extend(_problems_of(index, exc))
            unknown = [r for r in item.get("price_lists") or [] if r not in lists]
            if unknown:
                result.problems.append(
                    ItemProblem(
                        index,
                        "price_lists",
                        f"No price list has the external reference {', '.join(unknown)}.",
                    )
                )
        if result.problems:
            raise BatchRefused(result)
        _audit(actor, "companies", result, {})
    return result


def _upsert_company(
    actor: Any,
    item: Mapping[str, Any],
    company: Company | None,
    lists: Mapping[str, PriceList],
    result: UpsertResult,
) -> None:
    data = _company_input(item, lists, company)
    if company is None:
        company_create(actor=actor, data=data)
        result.created += 1
        return
    before = (company.updated_at, sorted(company.price_lists.values_list("pk", flat=True)))
    updated = company_update(actor=actor, company=company, data=data)
    after = (updated.updated_at, sorted(updated.price_lists.values_list("pk", flat=True)))
    if before == after:
        result.unchanged += 1
    else:
        result.updated += 1


def integration_upsert_contract_prices(
    *, actor: Any, items: Sequence[Mapping[str, Any]]
) -> UpsertResult:
    """Contract prices by ``external_ref``: ``company`` and ``sku`` name what it is for."""
    require_customer_editor(actor)
    _check_size(items)
    result = UpsertResult()
    companies = {
        c.external_ref: c
        for c in Company.objects.exclude(external_ref="").filter(
            external_ref__in=[str(i.get("company") or "") for i in items]
        )
    }
    products = {
        p.sku.upper(): p
        for p in Product.objects.filter(sku__in=[str(i.get("sku") or "") for i in items])
    }
    with transaction.atomic():
        existing = {
            c.external_ref: c
            for c in ContractPrice.objects.exclude(external_ref="").filter(
                external_ref__in=[str(i.get("external_ref") or "") for i in items]
            )
        }
        for index, item in enumerate(items):
            try:
                with transaction.atomic():
                    _upsert_contract(actor, item, existing, companies, products, result)
            except PricingError as exc:
                result.problems.append(ItemProblem(index, exc.field or "", exc.message))
        if result.problems:
            raise BatchRefused(result)
        _audit(actor, "contract_prices", result, {})
    return result


def _date(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError as exc:
        raise PricingError(
            "bad_date", f"{name} must be a date like 2027-03-31, got “{value}”.", field=name
        ) from exc


def _upsert_contract(
    actor: Any,
    item: Mapping[str, Any],
    existing: Mapping[str, ContractPrice],
    companies: Mapping[str, Company],
    products: Mapping[str, Product],
    result: UpsertResult,
) -> None:
    ref = str(item.get("external_ref") or "")
    if not ref:
        raise PricingError(
            "ref_required", "external_ref is required: it is the key", field="external_ref"
        )
    company = companies.get(str(item.get("company") or ""))
    if company is None:
        raise PricingError(
            "unknown_company",
            f"No company has the external reference “{item.get('company')}”.",
            field="company",
        )
    product = products.get(str(item.get("sku") or "").upper())
    if product is None:
        raise PricingError(
            "unknown_sku", f"No product has the SKU “{item.get('sku')}”.", field="sku"
        )
    valid_from = _date(item.get("valid_from"), "valid_from")
    valid_to = _date(item["valid_to"], "valid_to") if item.get("valid_to") else None
    contract = existing.get(ref)
    if contract is None:
        contract_price_create(
            actor=actor,
            company=company,
            product=product,
            unit_price=item.get("unit_price"),
            valid_from=valid_from,
            valid_to=valid_to,
            external_ref=ref,
        )
        result.created += 1
        return
    if (contract.company_id, contract.product_id) != (company.pk, product.pk):
        raise PricingError(
            "ref_moved",
            f"external_ref {ref} belongs to a contract of {contract.company.name} "
            f"for {contract.product.sku}; use a new reference.",
            field="external_ref",
        )
    try:
        price: Decimal | None = parse_amount(item.get("unit_price"))
    except MoneyError:
        price = None  # the update below refuses it with the pricing rules' message
    same = (
        contract.unit_price == price
        and contract.valid_from == valid_from
        and contract.valid_to == valid_to
    )
    if same:
        result.unchanged += 1
        return
    contract_price_update(
        actor=actor,
        contract=contract,
        unit_price=item.get("unit_price"),
        valid_from=valid_from,
        valid_to=valid_to,
    )
    result.updated += 1
