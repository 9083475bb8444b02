"""Forms of the SAML pages: they parse input; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from commerce.customers.models import Company
from core.forms import StyledForm
from sso.saml.choices import Audience

MAX_METADATA_BYTES = 512 * 1024


class CompanyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Company) -> str:
        return obj.name


class ConnectionForm(StyledForm):
    name = forms.CharField(label="Name", max_length=120, help_text="E.g. “Brandt Azure AD”.")
    audience = forms.ChoiceField(label="Who signs in", choices=Audience.choices)
    company = CompanyChoiceField(
        label="Buyer company",
        queryset=Company.objects.order_by("name"),
        required=False,
        to_field_name="public_id",
        help_text="Only for a buyer company's IdP.",
    )
    metadata = forms.FileField(
        label="IdP metadata (XML file)",
        required=False,
        help_text="Fills the entity id, sign-in URL and certificates. Files only: the server "
        "never fetches metadata from a URL.",
    )
    idp_entity_id = forms.CharField(label="IdP entity id (issuer)", max_length=500, required=False)
    idp_sso_url = forms.CharField(
        label="IdP sign-in URL (HTTP-Redirect)", max_length=500, required=False
    )
    certificates = forms.CharField(
        label="IdP signing certificate(s), PEM",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        help_text="Paste one or more; during a key rollover, paste both.",
    )
    email_domains = forms.CharField(
        label="E-mail domains",
        max_length=2000,
        help_text="Separated by spaces or commas, e.g. brandt.example brandt-group.example. "
        "Typing an address at one of them on the login page leads to this IdP.",
    )
    attr_email = forms.CharField(
        label="E-mail attribute",
        max_length=200,
        required=False,
        help_text="Empty: the NameID is the e-mail address.",
    )
    attr_first_name = forms.CharField(label="First name attribute", max_length=200, required=False)
    attr_last_name = forms.CharField(label="Last name attribute", max_length=200, required=False)
    attr_full_name = forms.CharField(label="Full name attribute", max_length=200, required=False)
    attr_role = forms.CharField(label="Role attribute", max_length=200, required=False)
    role_map = forms.CharField(
        label="Role mapping",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="One “IdP value = role” a line, e.g. “purchasing-leads = approver”.",
    )
    default_role = forms.CharField(
        label="Default role",
        max_length=32,
        help_text="Buyer roles: buyer, approver, finance, company_admin, viewer. Staff roles: "
        "administrator, account_manager, validator, dispatcher, finance.",
    )
    jit_enabled = forms.BooleanField(
        label="Create accounts on first sign-in (JIT provisioning)", required=False
    )
    saml_only = forms.BooleanField(
        label="SAML only: refuse password sign-in for these people", required=False
    )
    allow_idp_initiated = forms.BooleanField(
        label="Accept IdP-initiated sign-in (not recommended)",
        required=False,
        help_text="Warning: an IdP-initiated answer is not tied to a sign-in started in the "
        "browser, so any website can make a browser post one (for example, to sign a victim "
        "into an attacker's account). Portico then asks the person to confirm “Continue as …” "
        "on its own page and never replaces another signed-in user, but leave this off unless "
        "the identity provider cannot start sign-ins from the portal.",
    )
    active = forms.BooleanField(label="Active", required=False, initial=True)

    def clean_metadata(self) -> bytes | None:
        upload = self.cleaned_data.get("metadata")
        if not upload:
            return None
        if upload.size > MAX_METADATA_BYTES:
            raise forms.ValidationError("The metadata file is larger than 512 KB.")
        return bytes(upload.read())


class SsoDiscoveryForm(StyledForm):
    email = forms.EmailField(
        label="Work e-mail", widget=forms.EmailInput(attrs={"autocomplete": "username"})
    )
