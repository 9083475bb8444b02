from django import forms

from core.forms import StyledForm
from tenants.choices import Plan, TenantStatus


class SignupForm(StyledForm):
    company_name = forms.CharField(label="Company name", max_length=200, required=False)
    subdomain = forms.CharField(label="Portal address", max_length=100, required=False)
    admin_name = forms.CharField(label="Your name", max_length=150, required=False)
    admin_email = forms.CharField(label="Work e-mail", max_length=254, required=False)
    admin_password = forms.CharField(
        label="Password",
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    plan = forms.ChoiceField(label="Plan", choices=Plan.choices, initial=Plan.STARTER)


class StatusChangeForm(StyledForm):
    status = forms.ChoiceField(
        choices=[
            (TenantStatus.SUSPENDED, "Suspend"),
            (TenantStatus.ACTIVE, "Reactivate"),
            (TenantStatus.ARCHIVED, "Archive"),
        ]
    )
    reason = forms.CharField(
        max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
