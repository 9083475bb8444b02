"""Forms of the buyer's ordering pages. They only parse what was sent; the services decide what
is allowed and say what is wrong (quantities, names, PO rules, dates in the past)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms

from commerce.ordering.choices import ProcessState
from commerce.ordering.selectors import OrderFilters
from commerce.ordering.selectors.portal import CheckoutOptions
from commerce.ordering.services import CheckoutInput
from commerce.ordering.validation import NOTE_MAX_LENGTH, PO_MAX_LENGTH
from core.forms import StyledForm

QUICK_CSV_MAX_BYTES = 1024 * 1024


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    if isinstance(field, forms.ChoiceField):
        field.choices = choices


class QuantityInput(forms.TextInput):
    """A whole-number input that brings up the number pad on phones."""

    input_type = "number"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"min": "0", "step": "1", "inputmode": "numeric", **(attrs or {})})


class AddToCartForm(StyledForm):
    product = forms.UUIDField(widget=forms.HiddenInput)
    quantity = forms.CharField(max_length=12, widget=QuantityInput({"min": "1"}))


class QuantityForm(StyledForm):
    quantity = forms.CharField(max_length=12, widget=QuantityInput())


class QuickOrderForm(StyledForm):
    text = forms.CharField(
        label="SKU and quantity, one per line",
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "placeholder": "BOLT-M8 120\nNUT-M8 40",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )
    file = forms.FileField(
        label="…or a CSV file",
        required=False,
        help_text="Columns sku and quantity, with a header row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and upload.size > QUICK_CSV_MAX_BYTES:
            raise forms.ValidationError("The file is larger than 1 MB: split it into parts.")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("text") or "").strip() and not data.get("file"):
            raise forms.ValidationError("Paste some lines or choose a CSV file.")
        return data


class ListNameForm(StyledForm):
    name = forms.CharField(label="List name", required=False, max_length=500)


class ListItemForm(StyledForm):
    sku = forms.CharField(label="SKU", max_length=64)
    quantity = forms.CharField(max_length=12, widget=QuantityInput({"min": "1"}))


class SaveCartForm(StyledForm):
    """Save the cart on an existing list (its id; the view resolves it for the actor, so
    another company's list is "not found"), or on a new one."""

    requisition_list = forms.CharField(label="Save to list", required=False, widget=forms.Select)
    new_name = forms.CharField(label="…or a new list", required=False, max_length=500)

    def __init__(
        self, *args: Any, lists: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["requisition_list"].widget
        if isinstance(widget, forms.Select):
            widget.choices = [("", "Choose a list"), *(lists or [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("requisition_list") and not (data.get("new_name") or "").strip():
            raise forms.ValidationError("Choose a list or name a new one.")
        return data


class CheckoutForm(StyledForm):
    delivery_address = forms.ChoiceField(label="Delivery address", required=False)
    requested_delivery_date = forms.DateField(
        label="Requested delivery date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Leave empty for the earliest possible delivery.",
    )
    po_number = forms.CharField(
        label="PO number",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"maxlength": str(PO_MAX_LENGTH), "autocomplete": "off"}),
    )
    cost_centre = forms.ChoiceField(label="Cost centre", required=False)
    note = forms.CharField(
        label="Note to the supplier",
        required=False,
        max_length=NOTE_MAX_LENGTH * 2,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": str(NOTE_MAX_LENGTH)}),
    )

    def __init__(
        self, *args: Any, options: CheckoutOptions, po_required: bool, today: date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        addresses = [
            (str(a.public_id), f"{a.label}: {a.line1}, {a.postcode} {a.city}")
            for a in options.addresses
        ]
        _choices(
            self,
            "delivery_address",
            addresses or [("", "Your company has no delivery address yet")],
        )
        centres = [(str(c.public_id), f"{c.code} {c.name}") for c in options.cost_centres]
        _choices(self, "cost_centre", [("", "None"), *centres])
        self.fields["requested_delivery_date"].widget.attrs["min"] = today.isoformat()
        if po_required:
            self.fields["po_number"].label = "PO number (required)"
            self.fields["po_number"].widget.attrs["aria-required"] = "true"

    def to_input(self) -> CheckoutInput:
        """What was sent, as the checkout service reads it; a field that did not parse (a
        date) is left out, and shown with its error."""
        self.is_valid()
        data = self.cleaned_data
        return CheckoutInput(
            delivery_address=data.get("delivery_address") or None,
            po_number=data.get("po_number") or "",
            cost_centre=data.get("cost_centre") or None,
            requested_delivery_date=data.get("requested_delivery_date"),
            note=data.get("note") or "",
        )


class OrderFilterForm(StyledForm):
    q = forms.CharField(label="Order or PO number", required=False, max_length=100)
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    amount_min = forms.DecimalField(
        label="Total from", required=False, min_value=Decimal(0), decimal_places=2, max_digits=14
    )
    amount_max = forms.DecimalField(
        label="Total up to", required=False, min_value=Decimal(0), decimal_places=2, max_digits=14
    )
    product = forms.CharField(label="Product SKU", required=False, max_length=64)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status")]
        + [(v, label) for v, label in ProcessState.choices if v != ProcessState.DRAFT],
    )
    po = forms.CharField(label="PO number (exact)", required=False, max_length=35)
    buyer = forms.CharField(label="Placed by (e-mail)", required=False, max_length=254)
    cost_centre = forms.CharField(label="Cost centre", required=False, max_length=32)

    def filters(self) -> OrderFilters:
        """The filters that parsed; a field with an error is left out (and shown)."""
        self.is_valid()
        data = self.cleaned_data  # holds only the fields that parsed
        return OrderFilters(
            search=(data.get("q") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            amount_min=data.get("amount_min"),
            amount_max=data.get("amount_max"),
            product=(data.get("product") or "").strip(),
            status=data.get("status") or "",
            po_number=(data.get("po") or "").strip(),
            buyer=(data.get("buyer") or "").strip(),
            cost_centre=(data.get("cost_centre") or "").strip(),
        )

    @property
    def active(self) -> bool:
        return any(self.data.get(name) for name in self.fields)


class DecisionForm(StyledForm):
    comment = forms.CharField(
        label="Comment", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelForm(StyledForm):
    reason = forms.CharField(label="Why (optional)", required=False, max_length=2000)


class ReorderForm(StyledForm):
    lines = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, positions: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "lines", [(str(p), str(p)) for p in positions])
