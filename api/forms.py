from django import forms

from core.forms import StyledForm

from api.choices import ApiScope


class ApiKeyForm(StyledForm):
    name = forms.CharField(label="Name", max_length=80, required=False,
                           help_text="The system that will use it, e.g. “ERP sync”.")
    scopes = forms.MultipleChoiceField(label="Scopes", choices=ApiScope.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple,
                                       initial=[ApiScope.READ])
