from django import forms

from branding.choices import Font
from core.forms import StyledForm


class ThemeForm(StyledForm):
    display_name = forms.CharField(label="Portal name", max_length=80, required=False)
    primary_color = forms.CharField(
        label="Primary colour", max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )
    accent_color = forms.CharField(
        label="Accent colour", max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )
    font = forms.ChoiceField(label="Font", choices=Font.choices)
    login_headline = forms.CharField(label="Login headline", max_length=120, required=False)
    login_message = forms.CharField(
        label="Login message",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    logo = forms.ImageField(label="Logo (PNG, JPEG or WebP, up to 2 MB)", required=False)
    remove_logo = forms.BooleanField(label="Remove the current logo", required=False)
