"""The three CSV formats: their columns, how their rows are checked against the database
(``plan_for``: read-only, a fixed number of queries whatever the row count) and written
(``apply_plan``: bulk inserts and updates inside the caller's transaction)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

from django.db import connection
from django.db.models import Model
from django.db.models.functions import Upper
from django.utils import timezone

from commerce.catalog.errors import CatalogError
from commerce.catalog.models import Category, ImportKind, Product, StockLevel, Warehouse
from commerce.catalog.rules import (
    LABELS,
    MAX_QUANTITY,
    ProductInput,
    parse_attributes,
    parse_flag,
    parse_price,
    parse_whole,
    product_problems,
)
from commerce.catalog.selectors.backoffice import category_tree
from commerce.pricing.models import PriceList, PriceListItem
from commerce.selectors import portal_settings
from core.money import quantize_unit_price

Progress = Callable[[int, int], None]
Rows = list[tuple[int, dict[str, str]]]
BATCH = 1000
PREVIEW_ROWS = 20

PRODUCT_COLUMNS = [
    "sku",
    "name",
    "description",
    "category",
    "unit",
    "pack_size",
    "pallet_quantity",
    "min_order_qty",
    "order_multiple",
    "lead_time_days",
    "list_price",
    "attributes",
    "active",
    "external_ref",
]
COLUMNS: dict[str, list[str]] = {
    ImportKind.PRODUCTS: PRODUCT_COLUMNS,
    ImportKind.STOCK: ["sku", "warehouse", "on_hand"],
    ImportKind.PRICE_LISTS: ["price_list", "sku", "min_quantity", "unit_price"],
}
REQUIRED: dict[str, set[str]] = {
    ImportKind.PRODUCTS: {"sku", "name"},
    ImportKind.STOCK: {"sku", "warehouse", "on_hand"},
    ImportKind.PRICE_LISTS: {"price_list", "sku", "min_quantity", "unit_price"},
}
WORDS = {**LABELS, "warehouse": "warehouse", "price_list": "price list"}


@dataclass(frozen=True)
class RowError:
    """One problem: the spreadsheet row (header = 1; None for the whole file), the column and
    a message that says what is wrong and what was found."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}" if self.row else self.message

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Plan:
    """What applying a file would do (or the reasons it cannot be applied)."""

    total_rows: int = 0
    creates: list[Any] = field(default_factory=list)
    updates: list[Any] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: dict[str, Any] = field(default_factory=lambda: {"create": [], "update": []})
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def create_count(self) -> int:
        return len(self.creates)

    @property
    def update_count(self) -> int:
        return len(self.updates)

    def preview_create(self, row: int, key: str, summary: str) -> None:
        if len(self.preview["create"]) < PREVIEW_ROWS:
            self.preview["create"].append({"row": row, "key": key, "summary": summary})

    def preview_update(self, row: int, key: str, changes: dict[str, list[Any]]) -> None:
        if len(self.preview["update"]) < PREVIEW_ROWS:
            shown = {WORDS.get(k, k): [_show(v) for v in pair] for k, pair in changes.items()}
            self.preview["update"].append({"row": row, "key": key, "changes": shown})


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, Category):
        return value.name
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def bulk_update_values(model: type[Model], objs: list[Any], names: list[str]) -> int:
    """``UPDATE … FROM (VALUES …)`` in batches: Django's ``bulk_update`` builds a CASE per field
    and row in Python, which costs ~2 s per 1,000 rows here; this costs milliseconds."""
    if not objs or not names:
        return 0
    meta = model._meta
    by_name = {f.name: f for f in meta.concrete_fields}
    assert meta.pk is not None  # noqa: S101  (every model has one)
    columns = [meta.pk, *(by_name[name] for name in names)]
    quote = connection.ops.quote_name
    row_sql = "(" + ", ".join(f"%s::{c.db_type(connection)}" for c in columns) + ")"
    aliases = ", ".join(quote(c.column) for c in columns)
    sets = ", ".join(f"{quote(c.column)} = v.{quote(c.column)}" for c in columns[1:])
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    batch = max(1, 30_000 // len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            params = [
                c.get_db_prep_save(getattr(obj, c.attname), connection)
                for obj in chunk
                for c in columns
            ]
            # Identifiers come from the model's metadata; every value is a query parameter.
            values = ", ".join([row_sql] * len(chunk))
            sql = (
                f"UPDATE {table} AS t SET {sets} FROM (VALUES {values})"  # noqa: S608
                f" AS v({aliases}) WHERE t.{pk} = v.{pk}"
            )
            cursor.execute(sql, params)
    return len(objs)


def _required(row: dict[str, str], column: str) -> str:
    text = row[column].strip()
    if not text:
        raise CatalogError("required", f"{WORDS[column]} is required", field=column)
    return text


def _sku_ids(skus: set[str]) -> dict[str, tuple[int, str]]:
    """``{SKU in upper case: (id, SKU as stored)}`` for the SKUs asked for (SKUs are unique
    without regard to case)."""
    found = Product.objects.annotate(key=Upper("sku")).filter(key__in=skus)
    return {key: (pk, sku) for key, pk, sku in found.values_list("key", "pk", "sku")}


def _unknown_sku(sku: str) -> CatalogError:
    return CatalogError(
        "unknown_sku",
        f"unknown SKU “{sku}”; create the product first (or import products before this file)",
        field="sku",
    )


# --- products -----------------------------------------------------------------------------------


def _label_key(text: str) -> str:
    return " > ".join(part.strip() for part in text.split(">")).casefold()


class _ProductReader:
    """Turns one row's cells into a ``ProductInput`` on top of the product's current values."""

    def __init__(self, columns: list[str]) -> None:
        self.columns = [c for c in columns if c != "sku"]
        self.categories = {_label_key(r.label): r.category for r in category_tree()}
        self.by_id = {c.pk: c for c in self.categories.values()}

    def category(self, text: str) -> Category | None:
        if not text:
            return None
        found = self.categories.get(_label_key(text))
        if found is None:
            raise CatalogError(
                "unknown_category",
                f"unknown category “{text}”; write its full path as shown on the Categories "
                "page (for example “Fasteners > Screws”) or leave it empty",
                field="category",
            )
        return found

    def value(self, column: str, raw: str) -> Any:
        text = raw.strip()
        if column in {"name", "external_ref", "description"}:
            return text
        if column == "unit":
            return text or "pcs"
        if column == "category":
            return self.category(text)
        if column in {"pack_size", "min_order_qty", "order_multiple"}:
            return parse_whole(column, text, minimum=1) if text else 1
        if column == "pallet_quantity":
            return parse_whole(column, text, minimum=1) if text else None
        if column == "lead_time_days":
            return parse_whole(column, text, minimum=0) if text else 0
        if column == "list_price":
            return parse_price(column, text) if text else None
        if column == "attributes":
            return parse_attributes(raw)
        if column == "active":
            return parse_flag(column, text) if text else True
        raise KeyError(column)

    def current(self, product: Product) -> ProductInput:
        data = ProductInput(sku=product.sku, name=product.name)
        for f in fields(ProductInput):
            if f.name == "category":
                data.category = self.by_id.get(product.category_id or 0)
            elif f.name == "attributes":
                data.attributes = {str(k): str(v) for k, v in (product.attributes or {}).items()}
            else:
                setattr(data, f.name, getattr(product, f.name))
        return data

    def read(self, row: dict[str, str], base: ProductInput) -> tuple[ProductInput, list[Any]]:
        errors: list[CatalogError] = []
        for column in self.columns:
            try:
                setattr(base, column, self.value(column, row[column]))
            except CatalogError as exc:
                errors.append(exc)
        if not errors:
            errors = product_problems(base)
        return base, errors


def _product_changes(before: ProductInput, after: ProductInput) -> dict[str, list[Any]]:
    changes = {}
    for f in fields(ProductInput):
        old, new = getattr(before, f.name), getattr(after, f.name)
        if f.name == "category":
            same = (old.pk if old else None) == (new.pk if new else None)
        else:
            same = old == new
        if not same:
            changes[f.name] = [old, new]
    return changes


def _plan_products(columns: list[str], rows: Rows, progress: Progress) -> Plan:
    plan = Plan(total_rows=len(rows))
    reader = _ProductReader(columns)
    keys = {row["sku"].strip().upper() for _, row in rows}
    existing = {
        p.key: p
        for p in Product.objects.annotate(key=Upper("sku"))
        .filter(key__in=keys)
        .defer("search_vector")
    }
    refs = {row["external_ref"].strip() for _, row in rows if row.get("external_ref", "").strip()}
    ref_owner = dict(
        Product.objects.filter(external_ref__in=refs).values_list("external_ref", "sku")
    )
    seen: dict[str, int] = {}
    seen_refs: dict[str, int] = {}
    for index, (number, row) in enumerate(rows, start=1):
        sku = row["sku"].strip()
        key = sku.upper()
        product = existing.get(key)
        current = reader.current(product) if product else None
        base = replace(current) if current else ProductInput(sku=sku, name="")
        base.sku = sku
        data, errors = reader.read(row, base)
        found = [RowError(number, e.field or "", e.message) for e in errors]
        if key and key in seen:
            found.append(
                RowError(number, "sku", f"SKU {sku} appears again (first on row {seen[key]})")
            )
        seen.setdefault(key, number)
        ref = data.external_ref
        if ref and "external_ref" in columns:
            owner = ref_owner.get(ref)
            if owner is not None and owner.upper() != key:
                found.append(
                    RowError(
                        number, "external_ref", f"external reference {ref} belongs to SKU {owner}"
                    )
                )
            elif ref in seen_refs:
                found.append(
                    RowError(
                        number,
                        "external_ref",
                        f"external reference {ref} appears again (first on row {seen_refs[ref]})",
                    )
                )
            seen_refs.setdefault(ref, number)
        progress(index, len(rows))
        if found:
            plan.errors.extend(found)
        elif product is None:
            plan.creates.append(data)
            plan.preview_create(number, sku, data.name)
        else:
            changes = _product_changes(current or data, data)
            if changes:
                plan.updates.append((product, data, list(changes)))
                plan.preview_update(number, sku, changes)
            else:
                plan.unchanged += 1
    return plan


def _set_product(product: Product, data: ProductInput, names: list[str]) -> None:
    for name in names:
        value = getattr(data, name)
        if name == "list_price" and value is not None:
            value = quantize_unit_price(value)
        setattr(product, name, value)


def _apply_products(plan: Plan, progress: Progress) -> dict[str, Any]:
    total = plan.create_count + plan.update_count
    all_names = [f.name for f in fields(ProductInput)]
    new = []
    for data in plan.creates:
        product = Product()
        _set_product(product, data, all_names)
        new.append(product)
    for start in range(0, len(new), BATCH):
        Product.objects.bulk_create(new[start : start + BATCH])
        progress(min(start + BATCH, len(new)), total)
    now = timezone.now()
    changed: set[str] = set()
    objs = []
    for product, data, names in plan.updates:
        _set_product(product, data, names)
        product.updated_at = now
        changed.update(names)
        objs.append(product)
    update_fields = sorted(changed | {"updated_at"})
    for start in range(0, len(objs), BATCH):
        bulk_update_values(Product, objs[start : start + BATCH], update_fields)
        progress(len(new) + min(start + BATCH, len(objs)), total)
    return {}


# --- stock --------------------------------------------------------------------------------------


def _plan_stock(columns: list[str], rows: Rows, progress: Progress) -> Plan:  # noqa: C901
    plan = Plan(total_rows=len(rows))
    products = _sku_ids({row["sku"].strip().upper() for _, row in rows})
    warehouses = {w.code.upper(): w for w in Warehouse.objects.all()}
    levels = {
        (lv.product_id, lv.warehouse_id): lv
        for lv in StockLevel.objects.filter(product_id__in=[pk for pk, _ in products.values()])
    }
    seen: dict[tuple[int, int], int] = {}
    for index, (number, row) in enumerate(rows, start=1):
        progress(index, len(rows))
        found: list[CatalogError] = []
        product = warehouse = quantity = None
        try:
            sku = _required(row, "sku")
            product = products.get(sku.upper())
            if product is None:
                found.append(_unknown_sku(sku))
        except CatalogError as exc:
            found.append(exc)
        try:
            code = _required(row, "warehouse")
            warehouse = warehouses.get(code.upper())
            if warehouse is None:
                known = ", ".join(sorted(w.code for w in warehouses.values())[:10]) or "none yet"
                found.append(
                    CatalogError(
                        "unknown_warehouse",
                        f"unknown warehouse “{code}”; known warehouse codes: {known}",
                        field="warehouse",
                    )
                )
        except CatalogError as exc:
            found.append(exc)
        try:
            quantity = parse_whole("on_hand", _required(row, "on_hand"), minimum=0)
        except CatalogError as exc:
            found.append(exc)
        if product and warehouse and quantity is not None:
            key = (product[0], warehouse.pk)
            level = levels.get(key)
            if key in seen:
                found.append(
                    CatalogError(
                        "duplicate",
                        f"SKU {product[1]} in warehouse {warehouse.code} appears again "
                        f"(first on row {seen[key]})",
                        field="sku",
                    )
                )
            elif level is not None and quantity < level.reserved:
                found.append(
                    CatalogError(
                        "below_reserved",
                        f"on-hand quantity cannot go below the {level.reserved} units reserved "
                        f"for open orders, got {quantity}",
                        field="on_hand",
                    )
                )
            seen.setdefault(key, number)
        if found:
            plan.errors.extend(RowError(number, e.field or "", e.message) for e in found)
            continue
        assert product is not None  # noqa: S101  (narrowing for the type checker)
        assert warehouse is not None  # noqa: S101
        assert quantity is not None  # noqa: S101
        level = levels.get((product[0], warehouse.pk))
        label = f"{product[1]} @ {warehouse.code}"
        if level is None:
            plan.creates.append(
                StockLevel(product_id=product[0], warehouse=warehouse, on_hand=quantity)
            )
            plan.preview_create(number, label, f"{quantity} on hand")
        elif level.on_hand != quantity:
            plan.preview_update(number, label, {"on_hand": [level.on_hand, quantity]})
            level.on_hand = quantity
            plan.updates.append(level)
        else:
            plan.unchanged += 1
    return plan


def _apply_stock(plan: Plan, progress: Progress) -> dict[str, Any]:
    now = timezone.now()
    for level in plan.updates:
        level.updated_at = now
    StockLevel.objects.bulk_create(plan.creates, batch_size=BATCH)
    progress(plan.create_count, plan.create_count + plan.update_count)
    bulk_update_values(StockLevel, plan.updates, ["on_hand", "updated_at"])
    return {}


# --- price lists --------------------------------------------------------------------------------


class _ListResolver:
    """Finds the price list a row names (external reference first, then name, ignoring case);
    names not found are price lists to create in the portal's currency."""

    def __init__(self) -> None:
        lists = list(PriceList.objects.all())
        self.by_ref = {pl.external_ref: pl for pl in lists if pl.external_ref}
        self.by_name: dict[str, list[PriceList]] = {}
        for pl in lists:
            self.by_name.setdefault(pl.name.casefold(), []).append(pl)
        self.new: dict[str, str] = {}

    def resolve(self, text: str) -> PriceList | str:
        if text in self.by_ref:
            return self.by_ref[text]
        named = self.by_name.get(text.casefold(), [])
        if len(named) > 1:
            raise CatalogError(
                "ambiguous_list",
                f"{len(named)} price lists are called “{text}”; use the external reference of "
                "the one you mean",
                field="price_list",
            )
        if named:
            return named[0]
        if len(text) > 120:
            raise CatalogError(
                "list_name_too_long",
                "price list names must be at most 120 characters",
                field="price_list",
            )
        return self.new.setdefault(text.casefold(), text)


def _plan_price_lists(columns: list[str], rows: Rows, progress: Progress) -> Plan:
    plan = Plan(total_rows=len(rows))
    resolver = _ListResolver()
    products = _sku_ids({row["sku"].strip().upper() for _, row in rows})
    existing = {
        (i.price_list_id, i.product_id, i.min_quantity): i
        for i in PriceListItem.objects.filter(product_id__in=[pk for pk, _ in products.values()])
    }
    seen: dict[tuple[Any, int, int], int] = {}
    for index, (number, row) in enumerate(rows, start=1):
        progress(index, len(rows))
        found: list[CatalogError] = []
        values: dict[str, Any] = {}
        for column, read in (
            ("price_list", lambda t: resolver.resolve(t)),
            ("sku", lambda t: products.get(t.upper()) or _raise(_unknown_sku(t))),
            (
                "min_quantity",
                lambda t: parse_whole("min_quantity", t, minimum=1, maximum=MAX_QUANTITY),
            ),
            ("unit_price", lambda t: parse_price("unit_price", t)),
        ):
            try:
                values[column] = read(_required(row, column))
            except CatalogError as exc:
                found.append(exc)
        if not found:
            price_list, (product_id, sku) = values["price_list"], values["sku"]
            list_key = price_list.pk if isinstance(price_list, PriceList) else price_list.casefold()
            key = (list_key, product_id, values["min_quantity"])
            if key in seen:
                found.append(
                    CatalogError(
                        "duplicate",
                        f"the break from {values['min_quantity']} of SKU {sku} in this price "
                        f"list appears again (first on row {seen[key]})",
                        field="sku",
                    )
                )
            seen.setdefault(key, number)
        if found:
            plan.errors.extend(RowError(number, e.field or "", e.message) for e in found)
            continue
        list_name = str(price_list) if isinstance(price_list, PriceList) else price_list
        label = f"{list_name} / {sku} from {values['min_quantity']}"
        item = existing.get(key) if isinstance(price_list, PriceList) else None
        if item is None:
            plan.creates.append(
                (price_list, product_id, values["min_quantity"], values["unit_price"])
            )
            plan.preview_create(number, label, f"{values['unit_price']}")
        elif item.unit_price != values["unit_price"]:
            plan.preview_update(
                number, label, {"unit_price": [item.unit_price, values["unit_price"]]}
            )
            item.unit_price = values["unit_price"]
            plan.updates.append(item)
        else:
            plan.unchanged += 1
    new_lists = sorted(resolver.new.values())
    plan.extra["new_lists"] = new_lists
    if new_lists:
        currency = portal_settings().currency
        plan.preview["notes"] = [
            f"{len(new_lists)} new price list{'s' if len(new_lists) != 1 else ''} will be "
            f"created in {currency}: {', '.join(new_lists)}"
        ]
    return plan


def _raise(error: CatalogError) -> Any:
    raise error


def _apply_price_lists(plan: Plan, progress: Progress) -> dict[str, Any]:
    currency = portal_settings().currency
    created = PriceList.objects.bulk_create(
        [PriceList(name=name, currency=currency) for name in plan.extra.get("new_lists", [])]
    )
    by_name = {pl.name.casefold(): pl for pl in created}
    items = [
        PriceListItem(
            price_list=pl if isinstance(pl, PriceList) else by_name[pl.casefold()],
            product_id=product_id,
            min_quantity=min_quantity,
            unit_price=unit_price,
        )
        for pl, product_id, min_quantity, unit_price in plan.creates
    ]
    PriceListItem.objects.bulk_create(items, batch_size=BATCH)
    progress(plan.create_count, plan.create_count + plan.update_count)
    bulk_update_values(PriceListItem, plan.updates, ["unit_price"])
    return {"price_lists_created": [pl.name for pl in created]}


PLANNERS: dict[str, Callable[[list[str], Rows, Progress], Plan]] = {
    ImportKind.PRODUCTS: _plan_products,
    ImportKind.STOCK: _plan_stock,
    ImportKind.PRICE_LISTS: _plan_price_lists,
}
WRITERS: dict[str, Callable[[Plan, Progress], dict[str, Any]]] = {
    ImportKind.PRODUCTS: _apply_products,
    ImportKind.STOCK: _apply_stock,
    ImportKind.PRICE_LISTS: _apply_price_lists,
}


def plan_for(kind: str, columns: list[str], rows: Rows, progress: Progress) -> Plan:
    return PLANNERS[kind](columns, rows, progress)


def apply_plan(kind: str, plan: Plan, progress: Progress) -> dict[str, Any]:
    return WRITERS[kind](plan, progress)
