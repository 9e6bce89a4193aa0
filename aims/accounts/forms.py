"""Forms for accounts."""

from django import forms
from django.conf import settings


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'reporting script'.")
    days = forms.IntegerField(
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        initial=90,
        help_text="Days until the token expires.",
    )


class TwoFactorCodeForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The six digits your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )


class EnrolmentCodeForm(forms.Form):
    token = forms.CharField(
        label="Code from your app",
        max_length=32,
        help_text="After scanning, enter the six digits the app shows to confirm it works.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PersonLookupForm(forms.Form):
    username = forms.CharField(label="Username or account id", max_length=150)


class EraseForm(forms.Form):
    confirm = forms.CharField(
        label="Type the username to confirm",
        max_length=150,
        help_text="Erasure cannot be undone: names and e-mail are blanked and the account can no longer log in.",
    )

    def __init__(self, *args: object, expected: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if value != self.expected:
            raise forms.ValidationError("This is not the account's username.")
        return value
