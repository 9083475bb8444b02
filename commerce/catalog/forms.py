"""Forms of the catalogue back office: they read text into typed values with the same rules
and messages as the CSV import (``rules.py``); business rules stay in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst

from commerce.catalog.access import access_category_by_id
from commerce.catalog.errors import CatalogError
from commerce.catalog.models import Category, ImportKind, Product, Warehouse
from commerce.catalog.rules import (
    ProductInput,
    format_attributes,
    parse_attributes,
    parse_price,
    parse_whole,
)
from commerce.catalog.selectors.backoffice import StockRow, category_choices
from core.errors import NotFound
from core.forms import StyledForm

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}


def add_domain_error(form: forms.Form, error: CatalogError) -> None:
    """Show a domain error next to its field (or above the form), capitalised."""
    problems = getattr(error, "problems", [error])
    for problem in problems:
        name = problem.field if problem.field in form.fields else None
        form.add_error(name, capfirst(problem.message))


class CategoryForm(StyledForm):
    name = forms.CharField(label="Name", max_length=200)
    parent = forms.ChoiceField(label="Parent category", required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ChoiceField)  # noqa: S101  (narrowing)
        parent.choices = [("", "— none (top level) —"), *category_choices()]

    def clean_parent(self) -> Category | None:
        value = self.cleaned_data["parent"]
        if not value:
            return None
        try:
            return access_category_by_id(self.actor, value)
        except NotFound:
            raise forms.ValidationError("Choose one of the listed categories.") from None


class ProductForm(StyledForm):
    sku = forms.CharField(label="SKU", max_length=64)
    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    category = forms.ChoiceField(label="Category", required=False)
    unit = forms.CharField(
        label="Unit", max_length=16, initial="pcs", help_text="e.g. pcs, box, kg"
    )
    pack_size = forms.CharField(label="Pack size", initial="1", widget=forms.TextInput(NUMERIC))
    pallet_quantity = forms.CharField(
        label="Pallet quantity",
        required=False,
        widget=forms.TextInput(NUMERIC),
        help_text="Units on a full pallet; leave empty if not sold by the pallet.",
    )
    min_order_qty = forms.CharField(
        label="Minimum order quantity", initial="1", widget=forms.TextInput(NUMERIC)
    )
    order_multiple = forms.CharField(
        label="Order multiple",
        initial="1",
        widget=forms.TextInput(NUMERIC),
        help_text="Buyers order in steps of this many; the minimum must be a multiple of it.",
    )
    lead_time_days = forms.CharField(
        label="Lead time (days)", initial="0", widget=forms.TextInput(NUMERIC)
    )
    list_price = forms.CharField(
        label="List price",
        required=False,
        widget=forms.TextInput({"inputmode": "decimal", "autocomplete": "off"}),
        help_text="The price without a price list or contract; empty = not orderable without one.",
    )
    attributes = forms.CharField(
        label="Attributes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line, as name: value (for example Colour: red).",
    )
    external_ref = forms.CharField(label="External reference (ERP)", max_length=64, required=False)
    active = forms.BooleanField(label="Active (buyers can see and order it)", required=False)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)  # noqa: S101  (narrowing)
        category.choices = [("", "— no category —"), *category_choices()]

    @staticmethod
    def initial_for(product: Product) -> dict[str, Any]:
        return {
            "sku": product.sku,
            "name": product.name,
            "description": product.description,
            "category": str(product.category.public_id) if product.category else "",
            "unit": product.unit,
            "pack_size": product.pack_size,
            "pallet_quantity": product.pallet_quantity or "",
            "min_order_qty": product.min_order_qty,
            "order_multiple": product.order_multiple,
            "lead_time_days": product.lead_time_days,
            "list_price": "" if product.list_price is None else product.list_price.normalize(),
            "attributes": format_attributes(product.attributes, "\n"),
            "external_ref": product.external_ref,
            "active": product.active,
        }

    def _read(self, name: str, read: Any) -> Any:
        if name in self.errors:
            return None
        try:
            return read(self.cleaned_data.get(name, "").strip())
        except CatalogError as exc:
            self.add_error(name, capfirst(exc.message))
            return None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("pack_size", "min_order_qty", "order_multiple"):
            data[name] = self._read(name, lambda t, n=name: parse_whole(n, t, minimum=1))
        data["pallet_quantity"] = self._read(
            "pallet_quantity", lambda t: parse_whole("pallet_quantity", t, minimum=1) if t else None
        )
        data["lead_time_days"] = self._read(
            "lead_time_days", lambda t: parse_whole("lead_time_days", t, minimum=0)
        )
        data["list_price"] = self._read(
            "list_price", lambda t: parse_price("list_price", t) if t else None
        )
        data["attributes"] = self._read("attributes", lambda t: parse_attributes(t))
        category = data.get("category")
        data["category"] = None
        if category:
            try:
                data["category"] = access_category_by_id(self.actor, category)
            except NotFound:
                self.add_error("category", "Choose one of the listed categories.")
        return data

    def product_input(self) -> ProductInput:
        data = self.cleaned_data
        return ProductInput(
            sku=data["sku"].strip(),
            name=data["name"].strip(),
            description=data["description"].strip(),
            category=data["category"],
            unit=data["unit"].strip(),
            pack_size=data["pack_size"],
            pallet_quantity=data["pallet_quantity"],
            min_order_qty=data["min_order_qty"],
            order_multiple=data["order_multiple"],
            lead_time_days=data["lead_time_days"],
            list_price=data["list_price"],
            attributes=data["attributes"],
            active=data["active"],
            external_ref=data["external_ref"].strip(),
        )


class ImageForm(StyledForm):
    image = forms.FileField(
        label="Picture", help_text="PNG, JPEG or WebP, up to 8 MB and 6000 pixels a side."
    )
    alt_text = forms.CharField(
        label="Description for screen readers", max_length=200, required=False
    )


class WarehouseForm(StyledForm):
    code = forms.CharField(label="Code", max_length=32, help_text="Short and unique, e.g. AMS1.")
    name = forms.CharField(label="Name", max_length=120)
    active = forms.BooleanField(label="Active", required=False, initial=True)

    @staticmethod
    def initial_for(warehouse: Warehouse) -> dict[str, Any]:
        return {"code": warehouse.code, "name": warehouse.name, "active": warehouse.active}


class StockForm(StyledForm):
    """One on-hand field per warehouse (``stock_<warehouse public id>``)."""

    def __init__(self, *args: Any, rows: list[StockRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[self.name_for(row.warehouse)] = forms.CharField(
                label=f"{row.warehouse.code} — {row.warehouse.name}",
                initial=row.on_hand,
                widget=forms.TextInput(NUMERIC),
                help_text=f"{row.reserved} reserved" if row.reserved else "",
            )

    @staticmethod
    def name_for(warehouse: Warehouse) -> str:
        return f"stock_{warehouse.public_id}"

    def quantities(self) -> dict[Warehouse, int]:
        found: dict[Warehouse, int] = {}
        for row in self.rows:
            name = self.name_for(row.warehouse)
            try:
                found[row.warehouse] = parse_whole(
                    "on_hand", self.cleaned_data.get(name, "").strip(), minimum=0
                )
            except CatalogError as exc:
                self.add_error(name, capfirst(exc.message))
        return found


class ImportForm(StyledForm):
    kind = forms.ChoiceField(label="The file contains", choices=ImportKind.choices)
    file = forms.FileField(label="CSV file", help_text="UTF-8; comma, semicolon or tab separated.")
