"""Form presentation shared by every page: Bootstrap classes and ARIA wiring."""

from __future__ import annotations

from typing import Any

from django import forms


class StyledForm(forms.Form):
    """Adds Bootstrap classes; marks invalid fields with ``aria-invalid`` and points
    ``aria-describedby`` at their error and help text.

    Validation is never triggered here (views may still adjust fields, e.g. choices, after
    construction); the error wiring happens in ``full_clean``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif getattr(widget, "input_type", "") == "color":
                widget.attrs.setdefault("class", "form-control form-control-color")
            else:
                widget.attrs.setdefault("class", "form-control")
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{name}_help"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-describedby"] = (
                    widget.attrs.get("aria-describedby", "") + f" id_{name}_error"
                ).strip()
