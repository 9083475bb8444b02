"""Forms of the back-office order pages: they parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms

from commerce.ordering.choices import ProcessState
from commerce.ordering.models import Carrier, OrderLine
from commerce.ordering.selectors import OrderFilters
from core.forms import StyledForm


class OrderFilterForm(StyledForm):
    """The queue's filters (GET). A value that does not parse is shown and left out."""

    q = forms.CharField(label="Order or PO number", required=False, max_length=60)
    status = forms.CharField(required=False, widget=forms.HiddenInput)
    company = forms.ChoiceField(label="Company", required=False, choices=[])
    date_from = forms.DateField(
        label="Placed from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Placed until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    amount_min = forms.DecimalField(
        label="Total from", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    amount_max = forms.DecimalField(
        label="Total up to", required=False, min_value=0, max_digits=14, decimal_places=2
    )
    sku = forms.CharField(label="SKU", required=False, max_length=64)
    buyer = forms.CharField(label="Buyer's e-mail", required=False, max_length=254)
    cost_centre = forms.CharField(label="Cost centre", required=False, max_length=32)

    def __init__(self, *args: Any, companies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].choices = [("", "Any company"), *companies]  # type: ignore[attr-defined]

    def clean_status(self) -> str:
        status: str = self.cleaned_data.get("status") or ""
        return status if status in ProcessState.values else ""  # an unknown tab: all orders

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date comes before the start date.")
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", "The highest total is below the lowest.")
        return data

    def filters(self) -> OrderFilters:
        """The valid filters (``is_valid`` must have run; fields with errors count as empty)."""
        data = getattr(self, "cleaned_data", {})
        return OrderFilters(
            search=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            company=data.get("company") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            amount_min=data.get("amount_min"),
            amount_max=data.get("amount_max"),
            product=(data.get("sku") or "").strip(),
            buyer=(data.get("buyer") or "").strip(),
            cost_centre=(data.get("cost_centre") or "").strip(),
        )


class RejectForm(StyledForm):
    reason = forms.CharField(
        label="Why is the order rejected?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The buyer sees this reason.",
        required=False,  # the service says what is missing, in its words
    )


class CancelForm(StyledForm):
    cancel_reason = forms.CharField(
        label="Why is the order cancelled?",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    # The service names the field "reason"; on this page it is "cancel_reason".
    field_aliases = {"reason": "cancel_reason"}


class PaymentForm(StyledForm):
    amount = forms.CharField(label="Amount received", max_length=20)
    reference = forms.CharField(
        label="Reference", max_length=100, required=False, help_text="E.g. the bank reference."
    )


class ShipForm(StyledForm):
    """Carrier, tracking number, and one quantity per line that still has units to ship
    (``line_<position>``, defaulting to the open quantity; 0 leaves the line for later)."""

    carrier = forms.ChoiceField(label="Carrier", choices=[], required=False)  # service: "Choose…"
    tracking_number = forms.CharField(label="Tracking number", max_length=64, required=False)

    def __init__(
        self, *args: Any, carriers: list[Carrier], lines: list[OrderLine], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = [  # type: ignore[attr-defined]
            ("", "Choose a carrier"),
            *((str(c.public_id), c.name) for c in carriers),
        ]
        if len(carriers) == 1:
            self.fields["carrier"].initial = str(carriers[0].public_id)
        self.open_lines = [line for line in lines if line.quantity_open]
        for line in self.open_lines:
            name = f"line_{line.position}"
            self.fields[name] = forms.IntegerField(
                label=f"{line.sku} — {line.name} ({line.quantity_open} of {line.quantity} open)",
                min_value=0,
                initial=line.quantity_open,
            )
            # Too many units: the service's message names the line and what is left.
            self.fields[name].widget.attrs.update(
                {"class": "form-control", "max": line.quantity_open}
            )

    def line_fields(self) -> list[forms.BoundField]:
        return [self[f"line_{line.position}"] for line in self.open_lines]

    def quantities(self) -> dict[int, int]:
        return {
            line.position: self.cleaned_data[f"line_{line.position}"] for line in self.open_lines
        }


class CarrierForm(StyledForm):
    name = forms.CharField(label="Name", max_length=80)
    tracking_url_template = forms.CharField(
        label="Tracking link",
        max_length=300,
        help_text="An https:// link with {tracking} where the tracking number goes, e.g. "
        "https://track.example.com/?id={tracking}",
    )
    active = forms.BooleanField(label="Dispatchers can choose it", required=False)
