"""Writes to the catalogue: categories, products, pictures, warehouses and stock.

Every function here is ``<entity>_<verb>(*, actor, ...)``: it checks that the actor may change
the catalogue, validates (``rules.py``; typed errors from ``errors.py``), writes inside one
transaction with ``update_fields``, and records one audit entry with the changed fields.
CSV imports live in ``imports.py`` and use the same rules.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Substr
from django.utils.text import slugify

from audit.services import audit_record, changes_between, snapshot
from commerce.catalog.cache import invalidates_catalogue
from commerce.catalog.errors import CatalogError, ImageError, InvalidInput
from commerce.catalog.models import (
    Category,
    Product,
    ProductImage,
    StockLevel,
    Warehouse,
)
from commerce.catalog.policies import require_catalogue_editor
from commerce.catalog.rules import ProductInput, product_problems
from commerce.catalog.thumbnails import check_image, make_thumbnail
from core.money import quantize_unit_price

MAX_CATEGORY_DEPTH = 8
MAX_IMAGES_PER_PRODUCT = 20
WAREHOUSE_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
PRODUCT_AUDITED = (
    "sku",
    "name",
    "description",
    "category_id",
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
)


class Actions:
    """Audit action codes of the catalogue (plain words: see README)."""

    CATEGORY_CREATED = "catalog.category_created"
    CATEGORY_CHANGED = "catalog.category_changed"
    CATEGORY_DELETED = "catalog.category_deleted"
    PRODUCT_CREATED = "catalog.product_created"
    PRODUCT_CHANGED = "catalog.product_changed"
    IMAGE_ADDED = "catalog.image_added"
    IMAGE_DELETED = "catalog.image_deleted"
    IMAGES_REORDERED = "catalog.images_reordered"
    WAREHOUSE_CREATED = "catalog.warehouse_created"
    WAREHOUSE_CHANGED = "catalog.warehouse_changed"
    STOCK_SET = "catalog.stock_set"
    IMPORT_APPLIED = "catalog.import_applied"


# --- categories ------------------------------------------------------------------------------


def _category_name(name: str) -> tuple[str, str]:
    name = " ".join(name.split())
    if not name:
        raise CatalogError("name_required", "Give the category a name.", field="name")
    if len(name) > 120:
        raise CatalogError("name_too_long", "Keep category names to 120 characters.", field="name")
    if ">" in name:
        raise CatalogError(
            "name_bad_char",
            "Category names cannot contain “>” (CSV files use it to write paths such as "
            "“Fasteners > Screws”).",
            field="name",
        )
    slug = slugify(name)[:140]
    if not slug:
        raise CatalogError(
            "name_no_letters", "Category names need at least one letter or digit.", field="name"
        )
    return name, slug


def _check_sibling_free(slug: str, name: str, parent: Category | None, exclude: int | None) -> None:
    siblings = Category.objects.filter(parent=parent, slug=slug)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude)
    if siblings.exists():
        where = f"under “{parent.name}”" if parent else "at the top level"
        raise CatalogError(
            "name_taken",
            f"There is already a category called “{name}” {where}; choose another name.",
            field="name",
        )


@invalidates_catalogue
def category_create(*, actor: Any, name: str, parent: Category | None = None) -> Category:
    """A new category under ``parent`` (or at the top). Its ``path`` ends with its own id and
    ``depth`` is its parent's plus one."""
    require_catalogue_editor(actor)
    name, slug = _category_name(name)
    with transaction.atomic():
        if parent is not None:
            parent = Category.objects.select_for_update().get(pk=parent.pk)
            if parent.depth + 1 >= MAX_CATEGORY_DEPTH:
                raise CatalogError(
                    "too_deep",
                    f"Categories can be nested {MAX_CATEGORY_DEPTH} levels deep; "
                    f"“{parent.name}” is already at the deepest level.",
                    field="parent",
                )
        _check_sibling_free(slug, name, parent, None)
        category = Category(name=name, slug=slug, parent=parent)
        category.save(force_insert=True)
        category.path = f"{parent.path if parent else '/'}{category.pk}/"
        category.depth = parent.depth + 1 if parent else 0
        category.save(update_fields=["path", "depth"])
        audit_record(
            action=Actions.CATEGORY_CREATED,
            actor=actor,
            obj=category,
            changes={"name": [None, name], "path": [None, category.path]},
        )
    return category


def _check_move(category: Category, parent: Category | None) -> None:
    if parent is None:
        return
    if parent.pk == category.pk or parent.path.startswith(category.path):
        raise CatalogError(
            "category_cycle",
            f"“{category.name}” cannot move under “{parent.name}”: "
            f"{'that is the category itself' if parent.pk == category.pk else 'it is inside it'}. "
            "Choose a parent outside this branch.",
            field="parent",
        )
    deepest = Category.objects.filter(path__startswith=category.path).aggregate(d=Max("depth"))
    levels = (deepest["d"] or category.depth) - category.depth
    if parent.depth + 1 + levels >= MAX_CATEGORY_DEPTH:
        raise CatalogError(
            "too_deep",
            f"Moving “{category.name}” under “{parent.name}” would nest categories more than "
            f"{MAX_CATEGORY_DEPTH} levels deep.",
            field="parent",
        )


@invalidates_catalogue
def category_update(
    *, actor: Any, category: Category, name: str, parent: Category | None
) -> Category:
    """Rename and/or move a category. A move rewrites ``path`` and ``depth`` of the whole
    subtree in one statement; a move under itself or its own descendant is refused."""
    require_catalogue_editor(actor)
    name, slug = _category_name(name)
    with transaction.atomic():
        category = Category.objects.select_for_update().get(pk=category.pk)
        if parent is not None:
            parent = Category.objects.get(pk=parent.pk)
        before = snapshot(category, ("name", "parent_id", "path"))
        _check_move(category, parent)
        _check_sibling_free(slug, name, parent, category.pk)
        if (parent.pk if parent else None) != category.parent_id:
            old_path = category.path
            new_path = f"{parent.path if parent else '/'}{category.pk}/"
            delta = (parent.depth + 1 if parent else 0) - category.depth
            Category.objects.filter(path__startswith=old_path).update(
                path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
                depth=F("depth") + delta,
            )
            category.refresh_from_db(fields=["path", "depth"])
        category.name, category.slug, category.parent = name, slug, parent
        category.save(update_fields=["name", "slug", "parent"])
        changes = changes_between(before, snapshot(category, ("name", "parent_id", "path")))
        if changes:
            audit_record(
                action=Actions.CATEGORY_CHANGED, actor=actor, obj=category, changes=changes
            )
    return category


@invalidates_catalogue
def category_delete(*, actor: Any, category: Category) -> None:
    """Delete an empty category (no subcategories, no products); anything else is refused."""
    require_catalogue_editor(actor)
    with transaction.atomic():
        category = Category.objects.select_for_update().get(pk=category.pk)
        children = Category.objects.filter(parent=category).count()
        products = Product.objects.filter(category=category).count()
        if children or products:
            parts = []
            if children:
                parts.append(f"{children} subcategor{'y' if children == 1 else 'ies'}")
            if products:
                parts.append(f"{products} product{'' if products == 1 else 's'}")
            raise CatalogError(
                "category_not_empty",
                f"“{category.name}” still has {' and '.join(parts)}; move or delete them first.",
            )
        audit_record(
            action=Actions.CATEGORY_DELETED,
            actor=actor,
            obj=category,
            changes={"name": [category.name, None], "path": [category.path, None]},
        )
        category.delete()


# --- products --------------------------------------------------------------------------------


def _check_product(data: ProductInput, exclude: int | None) -> None:
    problems = product_problems(data)
    others = Product.objects.exclude(pk=exclude) if exclude else Product.objects.all()
    if data.sku and not any(p.field == "sku" for p in problems):
        owner = others.filter(sku__iexact=data.sku).only("sku", "name").first()
        if owner is not None:
            problems.append(
                CatalogError(
                    "sku_taken",
                    f"SKU {owner.sku} is already used by “{owner.name}”; "
                    "choose another SKU or edit that product",
                    field="sku",
                )
            )
    if data.external_ref and others.filter(external_ref=data.external_ref).exists():
        problems.append(
            CatalogError(
                "external_ref_taken",
                f"external reference {data.external_ref} is already used by another product",
                field="external_ref",
            )
        )
    if problems:
        raise InvalidInput(problems)


def _assign(product: Product, data: ProductInput) -> None:
    for name in PRODUCT_AUDITED:
        if name == "category_id":
            product.category = data.category
        elif name == "list_price" and data.list_price is not None:
            product.list_price = quantize_unit_price(data.list_price)
        else:
            setattr(product, name, getattr(data, name))


@invalidates_catalogue
def product_create(*, actor: Any, data: ProductInput) -> Product:
    """A new product. Raises ``InvalidInput`` listing every broken rule (see ``rules.py``),
    including a SKU already in use (compared without case)."""
    require_catalogue_editor(actor)
    with transaction.atomic():
        _check_product(data, None)
        product = Product()
        _assign(product, data)
        product.save(force_insert=True)
        audit_record(
            action=Actions.PRODUCT_CREATED,
            actor=actor,
            obj=product,
            changes=changes_between({}, snapshot(product, PRODUCT_AUDITED)),
        )
    return product


@invalidates_catalogue
def product_update(*, actor: Any, product: Product, data: ProductInput) -> Product:
    """Change a product's fields; audited with the fields that changed (nothing if none did)."""
    require_catalogue_editor(actor)
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        _check_product(data, product.pk)
        before = snapshot(product, PRODUCT_AUDITED)
        _assign(product, data)
        after = snapshot(product, PRODUCT_AUDITED)
        changes = changes_between(before, after)
        if changes:
            fields = [n.removesuffix("_id") for n in changes]
            product.save(update_fields=[*fields, "updated_at"])
            audit_record(action=Actions.PRODUCT_CHANGED, actor=actor, obj=product, changes=changes)
    return product


# --- pictures --------------------------------------------------------------------------------


@invalidates_catalogue
def product_image_add(
    *, actor: Any, product: Product, upload: UploadedFile, alt_text: str = ""
) -> ProductImage:
    """Store a checked picture and its WebP thumbnail under the tenant's prefix, last in order.
    If the database write fails, the two files are removed again."""
    require_catalogue_editor(actor)
    checked = check_image(upload)
    thumbnail = make_thumbnail(upload)
    with transaction.atomic():
        product = Product.objects.select_for_update().get(pk=product.pk)
        count = ProductImage.objects.filter(product=product).count()
        if count >= MAX_IMAGES_PER_PRODUCT:
            raise ImageError(
                "too_many_images",
                f"A product can have {MAX_IMAGES_PER_PRODUCT} pictures; delete one first.",
                field="image",
            )
        position = (
            ProductImage.objects.filter(product=product).aggregate(p=Max("position"))["p"] or 0
        )
        image = ProductImage(
            product=product, alt_text=alt_text.strip()[:200], position=position + 1
        )
        try:
            image.image.save(f"image.{checked.extension}", upload, save=False)
            image.thumbnail.save("thumb.webp", thumbnail, save=False)
            image.save(force_insert=True)
            audit_record(
                action=Actions.IMAGE_ADDED,
                actor=actor,
                obj=product,
                details={"image": image.image.name, "size": f"{checked.width}×{checked.height}"},
            )
        except Exception:
            for name in (image.image.name, image.thumbnail.name):
                if name:
                    default_storage.delete(name)
            raise
    return image


@invalidates_catalogue
def product_image_delete(*, actor: Any, image: ProductImage) -> None:
    """Remove a picture; its files are deleted once the removal has committed."""
    require_catalogue_editor(actor)
    with transaction.atomic():
        image = ProductImage.objects.select_related("product").select_for_update().get(pk=image.pk)
        names = [image.image.name, image.thumbnail.name]
        audit_record(
            action=Actions.IMAGE_DELETED,
            actor=actor,
            obj=image.product,
            details={"image": image.image.name},
        )
        image.delete()

        def remove_files() -> None:
            for name in names:
                if name:
                    default_storage.delete(name)

        transaction.on_commit(remove_files)


@invalidates_catalogue
def product_images_reorder(*, actor: Any, product: Product, order: Iterable[uuid.UUID]) -> None:
    """Put the product's pictures in ``order`` (all of its picture ids, each once)."""
    require_catalogue_editor(actor)
    wanted = [uuid.UUID(str(i)) for i in order]
    with transaction.atomic():
        images = {
            i.public_id: i
            for i in ProductImage.objects.select_for_update().filter(product_id=product.pk)
        }
        if sorted(wanted, key=str) != sorted(images, key=str):
            raise ImageError(
                "bad_order", "The new order must list each of the product's pictures once."
            )
        before = [str(i.public_id) for i in sorted(images.values(), key=lambda i: i.position)]
        for position, key in enumerate(wanted, start=1):
            images[key].position = position
        ProductImage.objects.bulk_update(images.values(), ["position"])
        after = [str(k) for k in wanted]
        if before != after:
            audit_record(
                action=Actions.IMAGES_REORDERED,
                actor=actor,
                obj=product,
                changes={"images": [before, after]},
            )


@invalidates_catalogue
def product_image_move(*, actor: Any, image: ProductImage, offset: int) -> None:
    """Move a picture one place earlier (``offset=-1``) or later (``+1``)."""
    ids = list(
        ProductImage.objects.filter(product_id=image.product_id)
        .order_by("position", "id")
        .values_list("public_id", flat=True)
    )
    index = ids.index(image.public_id)
    target = min(max(index + offset, 0), len(ids) - 1)
    ids.insert(target, ids.pop(index))
    product_images_reorder(actor=actor, product=image.product, order=ids)


# --- warehouses and stock ---------------------------------------------------------------------


def _check_warehouse(code: str, name: str, exclude: int | None) -> None:
    if not WAREHOUSE_CODE_RE.match(code):
        raise CatalogError(
            "bad_code",
            "Warehouse codes are 1–32 letters, digits, - or _, starting with a letter or digit.",
            field="code",
        )
    if not name:
        raise CatalogError("name_required", "Give the warehouse a name.", field="name")
    clash = Warehouse.objects.filter(code__iexact=code)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise CatalogError(
            "code_taken", f"There is already a warehouse with code {code}.", field="code"
        )


@invalidates_catalogue
def warehouse_create(*, actor: Any, code: str, name: str) -> Warehouse:
    """A new, active warehouse with a unique code (compared without case)."""
    require_catalogue_editor(actor)
    code, name = code.strip(), " ".join(name.split())[:120]
    with transaction.atomic():
        _check_warehouse(code, name, None)
        warehouse = Warehouse(code=code, name=name)
        warehouse.save(force_insert=True)
        audit_record(
            action=Actions.WAREHOUSE_CREATED,
            actor=actor,
            obj=warehouse,
            changes={"code": [None, code], "name": [None, name]},
        )
    return warehouse


@invalidates_catalogue
def warehouse_update(
    *, actor: Any, warehouse: Warehouse, code: str, name: str, active: bool
) -> Warehouse:
    """Rename, re-code, deactivate or reactivate a warehouse. A deactivated warehouse keeps its
    stock rows (history) but buyers no longer see its stock."""
    require_catalogue_editor(actor)
    code, name = code.strip(), " ".join(name.split())[:120]
    with transaction.atomic():
        warehouse = Warehouse.objects.select_for_update().get(pk=warehouse.pk)
        _check_warehouse(code, name, warehouse.pk)
        before = snapshot(warehouse, ("code", "name", "active"))
        warehouse.code, warehouse.name, warehouse.active = code, name, active
        changes = changes_between(before, snapshot(warehouse, ("code", "name", "active")))
        if changes:
            warehouse.save(update_fields=list(changes))
            audit_record(
                action=Actions.WAREHOUSE_CHANGED, actor=actor, obj=warehouse, changes=changes
            )
    return warehouse


@invalidates_catalogue
def stock_set(*, actor: Any, product: Product, quantities: Mapping[Warehouse, int]) -> int:
    """Set on-hand quantities of one product in several warehouses (one audit entry listing
    the warehouses that changed). Returns how many changed. A quantity below what is reserved
    for open orders is refused."""
    require_catalogue_editor(actor)
    problems = [
        CatalogError(
            "stock_negative",
            f"on-hand quantity in {w.code} must be at least 0, got {qty}",
            field=f"stock_{w.public_id}",
        )
        for w, qty in quantities.items()
        if qty < 0
    ]
    if problems:
        raise InvalidInput(problems)
    with transaction.atomic():
        levels = {
            s.warehouse_id: s
            for s in StockLevel.objects.select_for_update().filter(product_id=product.pk)
        }
        changes: dict[str, list[int]] = {}
        for warehouse, qty in quantities.items():
            level = levels.get(warehouse.pk)
            if level is None:
                if qty:
                    StockLevel(product_id=product.pk, warehouse=warehouse, on_hand=qty).save(
                        force_insert=True
                    )
                    changes[warehouse.code] = [0, qty]
                continue
            if level.on_hand == qty:
                continue
            if qty < level.reserved:
                problems.append(
                    CatalogError(
                        "below_reserved",
                        f"on-hand quantity in {warehouse.code} cannot go below the "
                        f"{level.reserved} units reserved for open orders, got {qty}",
                        field=f"stock_{warehouse.public_id}",
                    )
                )
                continue
            changes[warehouse.code] = [level.on_hand, qty]
            level.on_hand = qty
            level.save(update_fields=["on_hand", "updated_at"])
        if problems:
            raise InvalidInput(problems)
        if changes:
            audit_record(action=Actions.STOCK_SET, actor=actor, obj=product, changes=changes)
    return len(changes)
