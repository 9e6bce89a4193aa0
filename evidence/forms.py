"""Forms of the evidence app."""

from django import forms

from aims.accounts.models import User
from registry.models import UseCase


class EvidenceSourceForm(forms.Form):
    name = forms.SlugField(max_length=100, help_text="Stable name of the gateway deployment, e.g. litellm-prod.")
    description = forms.CharField(max_length=300, required=False)
    owner = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True).order_by("username"))
    use_cases = forms.ModelMultipleChoiceField(
        queryset=UseCase.objects.order_by("key"), required=False, help_text="The use cases this gateway enforces."
    )
    heartbeat_seconds = forms.IntegerField(min_value=10, max_value=86400, initial=300)
    rate_limit_per_minute = forms.IntegerField(min_value=1, max_value=10_000_000, initial=120_000)


class SourceTokenForm(forms.Form):
    name = forms.CharField(max_length=100, initial="gateway")
    days = forms.IntegerField(min_value=1, max_value=730, required=False, help_text="Leave empty for no expiry.")
