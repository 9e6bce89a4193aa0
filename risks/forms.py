"""Forms of the risks app. They parse; the services validate (`full_clean()`) and the views put those errors
back on the fields, so a rule lives in one place and reads the same in the UI and the API."""

from __future__ import annotations

from typing import Any

from django import forms

from aims.accounts.models import User
from controls.models import ControlImplementation
from registry.forms import DateInput, ServiceModelForm
from registry.models import AISystem
from risks import reference
from risks.choices import Acceptor, RiskLevel, RiskStatus
from risks.models import Impact, ImpactAssessment, Risk
from risks.services import ASSESSMENT_FIELDS, EDITABLE_STATUSES, IMPACT_FIELDS, RISK_FIELDS


def _people() -> Any:
    return User.objects.filter(is_active=True).order_by("username")


class RiskForm(ServiceModelForm):
    objectives = forms.MultipleChoiceField(
        choices=reference.objective_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The Annex C.2 objectives this risk threatens.",
    )
    reassess = forms.BooleanField(
        required=False, label="Rate under the criteria in force", help_text="Moves the risk to the current version."
    )

    class Meta:
        model = Risk
        fields = [*RISK_FIELDS, "controls"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "affected_parties": forms.Textarea(attrs={"rows": 2}),
            "existing_controls": forms.Textarea(attrs={"rows": 2}),
            "treatment_plan": forms.Textarea(attrs={"rows": 2}),
            "review_on": DateInput(),
            "controls": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args: Any, user: Any, may_edit_all: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        systems = AISystem.objects.order_by("name")
        if not may_edit_all:
            systems = systems.filter(owner=user)
            self.fields["ai_system"].required = True
            self.fields["ai_system"].help_text = "One of the AI systems you own."
        self.fields["ai_system"].queryset = systems
        self.fields["owner"].queryset = _people()
        if not may_edit_all and not self.instance.pk:
            self.fields["owner"].initial = user
        if not may_edit_all and self.instance.pk:
            self.fields["owner"].disabled = True
            self.fields["owner"].help_text = "Only a governance officer may hand the risk to another owner."
        self.fields["controls"].queryset = ControlImplementation.objects.order_by("code")
        self.fields["controls"].required = False
        statuses = list(EDITABLE_STATUSES)
        if self.instance.pk and self.instance.status not in statuses:
            statuses.insert(0, RiskStatus(self.instance.status))
        self.fields["status"].choices = [(s.value, s.label) for s in statuses]
        criteria = self.instance.criteria if self.instance.pk else None
        for name in ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact"):
            self.fields[name].help_text = "1 (lowest) to 5 (highest) on the criteria's scale."
        if criteria is None or not self.instance.pk or criteria.in_force:
            self.fields.pop("reassess")

    def service_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in RISK_FIELDS}
        data["objectives"] = list(data["objectives"])
        return data


class ActionForm(forms.Form):
    description = forms.CharField(max_length=500)
    owner = forms.ModelChoiceField(queryset=User.objects.none())
    due_on = forms.DateField(widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _people()


class OwnerAcceptForm(forms.Form):
    expires_on = forms.DateField(widget=DateInput(), label="Accepted until")
    rationale = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class AcceptanceRequestForm(forms.Form):
    expires_on = forms.DateField(widget=DateInput(), label="Accept until", help_text="Proposed expiry.")
    note = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AcceptanceDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Accept the risk"), ("reject", "Refuse")])
    rationale = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
    expires_on = forms.DateField(
        widget=DateInput(), required=False, label="Accepted until", help_text="Leave empty to keep the requested date."
    )


class ImpactAssessmentForm(ServiceModelForm):
    class Meta:
        model = ImpactAssessment
        fields = list(ASSESSMENT_FIELDS)
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "affected_stakeholders": forms.Textarea(attrs={"rows": 2}),
            "next_review_on": DateInput(),
        }


class ImpactForm(ServiceModelForm):
    reason = None  # recorded once; the history says who added it

    class Meta:
        model = Impact
        fields = list(IMPACT_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "mitigations": forms.Textarea(attrs={"rows": 2})}


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Sign off"), ("reject", "Send back")])
    rationale = forms.CharField(
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Required to send back."
    )


class NoteForm(forms.Form):
    note = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


def _parse_scale(text: str) -> list[dict[str, Any]]:
    steps = []
    for value, line in enumerate([ln for ln in text.splitlines() if ln.strip()], start=1):
        label, _, description = line.partition("|")
        steps.append({"value": value, "label": label.strip(), "description": description.strip()})
    return steps


def _scale_text(scale: list[dict[str, Any]]) -> str:
    return "\n".join(f"{s['label']} | {s.get('description', '')}" for s in scale)


class CriteriaForm(forms.Form):
    """A new criteria version, written as lines: one scale step per line ("label | description") and one level
    per line ("level max_score acceptor")."""

    name = forms.CharField(max_length=200)
    likelihood_scale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), help_text="One step per line, lowest first: label | description."
    )
    impact_scale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), help_text="One step per line, lowest first: label | description."
    )
    levels = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"One level per line, lowest first: level max_score acceptor. "
        f"Levels: {', '.join(RiskLevel.values)}; "
        f"acceptors: {', '.join(Acceptor.values)}. Score = likelihood x impact.",
    )
    note = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def initial_from(cls, criteria: Any) -> dict[str, str]:
        return {
            "name": criteria.name,
            "likelihood_scale": _scale_text(criteria.likelihood_scale),
            "impact_scale": _scale_text(criteria.impact_scale),
            "levels": "\n".join(f"{b['level']} {b['max_score']} {b['acceptor']}" for b in criteria.levels),
        }

    def clean_likelihood_scale(self) -> list[dict[str, Any]]:
        return _parse_scale(self.cleaned_data["likelihood_scale"])

    def clean_impact_scale(self) -> list[dict[str, Any]]:
        return _parse_scale(self.cleaned_data["impact_scale"])

    def clean_levels(self) -> list[dict[str, Any]]:
        bands = []
        for line in [ln for ln in self.cleaned_data["levels"].splitlines() if ln.strip()]:
            parts = line.split()
            if len(parts) != 3 or not parts[1].isdigit():
                raise forms.ValidationError(f"Expected 'level max_score acceptor', got {line.strip()!r}.")
            bands.append({"level": parts[0], "max_score": int(parts[1]), "acceptor": parts[2]})
        return bands
