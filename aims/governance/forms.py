"""Forms for governance records. Generic model forms come from the resource specs (resources.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models

from aims.accounts.models import User
from aims.governance.choices import ConcernConfidentiality, ConcernStatus, Severity
from aims.governance.models import AimsScope, OrganisationProfile
from aims.governance.resources import Resource

REASON_HELP = "Why you are making this change (kept in the history)."


class OrganisationProfileForm(forms.ModelForm):
    reason = forms.CharField(max_length=200, required=False, help_text=REASON_HELP)

    class Meta:
        model = OrganisationProfile
        fields = ["name", "legal_name", "sector", "country", "purpose", "aims_contact_email"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 4})}


class DecisionRequestForm(forms.Form):
    note = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _widget_for(field: models.Field) -> forms.Widget | None:
    if isinstance(field, models.DateTimeField):
        return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    if isinstance(field, models.DateField):
        return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if isinstance(field, models.TextField):
        return forms.Textarea(attrs={"rows": 4})
    return None


def form_for(resource: Resource) -> type[forms.ModelForm]:
    """A model form of the resource's writable fields, with the history reason."""
    model = resource.model
    widgets = {}
    for name in resource.fields:
        widget = _widget_for(model._meta.get_field(name))  # type: ignore[arg-type]
        if widget is not None:
            widgets[name] = widget
    meta = type("Meta", (), {"model": model, "fields": list(resource.fields), "widgets": widgets})

    def __init__(self: forms.ModelForm, *args: Any, **kwargs: Any) -> None:
        forms.ModelForm.__init__(self, *args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and field.queryset.model is User:
                field.queryset = User.objects.filter(is_active=True).order_by("username")

    attrs = {
        "Meta": meta,
        "__init__": __init__,
        "reason": forms.CharField(max_length=200, required=False, help_text=REASON_HELP),
    }
    return type(f"{model.__name__}Form", (forms.ModelForm,), attrs)


class VersionForm(forms.Form):
    body = forms.CharField(
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text="Markdown: # headings, - lists, **bold**, *italic*, `code`, [links](https://...).",
    )
    change_summary = forms.CharField(max_length=300, required=False)
    attachment = forms.FileField(required=False, help_text="Optional file kept with this version.")


class KpiValueForm(forms.Form):
    value = forms.DecimalField(max_digits=14, decimal_places=4)
    measured_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(max_length=300, required=False)


class ScopeForm(forms.ModelForm):
    reason = forms.CharField(max_length=200, required=False, help_text=REASON_HELP)

    class Meta:
        model = AimsScope
        fields = ["statement", "boundaries", "systems_in_scope", "systems_out_of_scope", "exclusions_justification"]
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 5}),
            "boundaries": forms.Textarea(attrs={"rows": 3}),
            "exclusions_justification": forms.Textarea(attrs={"rows": 3}),
            "systems_in_scope": forms.CheckboxSelectMultiple,
            "systems_out_of_scope": forms.CheckboxSelectMultiple,
        }


class ConcernForm(forms.Form):
    """Raise a concern (A.3.3). The AI system is optional: a concern may be about AI use in general."""

    ai_system = forms.ModelChoiceField(queryset=None, required=False, empty_label="Not about one system")
    summary = forms.CharField(max_length=200)
    details = forms.CharField(max_length=8000, widget=forms.Textarea(attrs={"rows": 6}))
    confidentiality = forms.ChoiceField(
        choices=ConcernConfidentiality.choices, initial=ConcernConfidentiality.CONFIDENTIAL, widget=forms.RadioSelect
    )
    reporter_contact = forms.CharField(
        max_length=200, required=False, help_text="Optional: how we can reach you. Not kept if anonymous."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from registry.models import AISystem

        self.fields["ai_system"].queryset = AISystem.objects.order_by("name")


class PublicConcernForm(ConcernForm):
    """The public form: no named option, since an unauthenticated reporter has no account to name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["confidentiality"].choices = [
            c for c in ConcernConfidentiality.choices if c[0] != ConcernConfidentiality.NAMED
        ]


class TriageForm(forms.Form):
    status = forms.ChoiceField(choices=ConcernStatus.choices)
    triage_notes = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    create_incident = forms.BooleanField(required=False, help_text="Open an incident from this concern.")
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM, required=False)


class CloseForm(forms.Form):
    effectiveness_review = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class RaiseNonconformityForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True).order_by("username"))


class ReviewCreateForm(forms.Form):
    title = forms.CharField(max_length=200)
    held_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    attendees = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ChannelForm(forms.Form):
    public_form_enabled = forms.BooleanField(required=False, label="Accept concerns through the public form")
