from django import forms

from core.forms import StyledForm


class PriceListForm(StyledForm):
    name = forms.CharField(label="Name", max_length=120, required=False)
    priority = forms.IntegerField(
        label="Priority",
        min_value=0,
        initial=100,
        help_text="When several lists price a product, the lowest number wins.",
    )
    is_default = forms.BooleanField(
        label="Default list (for companies without their own)", required=False
    )
    active = forms.BooleanField(label="Active", required=False, initial=True)
    external_ref = forms.CharField(
        label="External reference (ERP id)", max_length=64, required=False
    )


class PriceItemForm(StyledForm):
    sku = forms.CharField(label="SKU", max_length=64)
    min_quantity = forms.IntegerField(label="From quantity", min_value=1, initial=1)
    unit_price = forms.CharField(label="Unit price", max_length=24)


class ContractPriceForm(StyledForm):
    company = forms.ChoiceField(label="Company")
    sku = forms.CharField(label="SKU", max_length=64)
    unit_price = forms.CharField(label="Unit price", max_length=24)
    valid_from = forms.DateField(label="Valid from", widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(
        label="Valid until (inclusive, empty = open-ended)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class PriceCheckForm(StyledForm):
    company = forms.ChoiceField(label="Company")
    sku = forms.CharField(label="SKU", max_length=64)
    quantity = forms.IntegerField(label="Quantity", min_value=1, initial=1)
    on = forms.DateField(label="On", required=False, widget=forms.DateInput(attrs={"type": "date"}))
