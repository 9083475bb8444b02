from django import forms

from core.forms import StyledForm
from sso.services.twofactor import REASON_REQUIRED, RESET_REASON_MAX


class LoginForm(StyledForm):
    email = forms.EmailField(
        label="E-mail",
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(StyledForm):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}
        ),
    )


class ConfirmCodeForm(StyledForm):
    code = forms.CharField(
        label="Code from the app",
        max_length=10,
        help_text="The 6-digit code your app shows now.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class CurrentCodeForm(StyledForm):
    code = forms.CharField(
        label="Code from your app",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordConfirmForm(StyledForm):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ResetRequestForm(StyledForm):
    email = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "username"})
    )


class NewPasswordForm(StyledForm):
    password = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label="New password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", "The two passwords differ; type the same twice.")
        return cleaned


class SecurityLogFilterForm(StyledForm):
    action = forms.ChoiceField(label="Event", required=False)
    email = forms.CharField(label="E-mail contains", max_length=254, required=False)
    ip = forms.GenericIPAddressField(label="IP address", required=False)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        from sso.selectors import SECURITY_ACTIONS

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "All events"), *SECURITY_ACTIONS]  # type: ignore[attr-defined]


class TwoFactorResetForm(StyledForm):
    reason = forms.CharField(
        label="Reason",
        max_length=RESET_REASON_MAX,
        help_text="Why, and how you checked who asked. Kept in the security log.",
        error_messages={"required": REASON_REQUIRED},
        widget=forms.Textarea(attrs={"rows": 2}),
    )
