from django import forms

from api.choices import ApiScope
from core.forms import StyledForm


class ApiKeyForm(StyledForm):
    name = forms.CharField(
        label="Name",
        max_length=80,
        required=False,
        help_text="The system that will use it, e.g. “ERP sync”.",
    )
    scopes = forms.MultipleChoiceField(
        label="Scopes",
        choices=ApiScope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiScope.READ],
    )
