"""Forms of the controls app: a control implementation (the catalog itself has no form: the loader writes it)."""

from __future__ import annotations

from typing import Any

from django import forms

from controls import selectors
from controls.choices import RequirementStatus
from controls.models import ControlImplementation, Requirement, SoAEntry, SoAVersion
from registry.models import AISystem, UseCase


class RequirementChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Requirement) -> str:
        return f"{obj.framework.short_name} {obj.ref} {obj.title}"


class ImplementationForm(forms.ModelForm):
    requirements = RequirementChoiceField(
        queryset=Requirement.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text="What the control satisfies. Leave empty for a control of the organisation's own, beyond Annex A.",
    )
    reason = forms.CharField(
        max_length=200, required=False, help_text="Why you are making this change (kept in the history)."
    )

    class Meta:
        model = ControlImplementation
        fields = ["code", "name", "description", "owner", "status", "requirements", "ai_systems", "use_cases"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "ai_systems": "The AI systems of the register the control covers.",
            "use_cases": "The use cases the control covers.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.owner_choices()
        chosen = self.instance.requirements.all() if self.instance.pk else Requirement.objects.none()
        # Current requirements, plus any withdrawn one the control already names (so an edit does not drop it).
        self.fields["requirements"].queryset = (
            (Requirement.objects.filter(status=RequirementStatus.ACTIVE) | Requirement.objects.filter(pk__in=chosen))
            .select_related("framework")
            .order_by("framework__position", "position")
        )
        self.fields["ai_systems"].queryset = AISystem.objects.order_by("name")
        self.fields["use_cases"].queryset = UseCase.objects.select_related("ai_system").order_by("key")


class SoAEntryForm(forms.ModelForm):
    """One draft SoA row. The justification is required whether the control applies or not (6.1.3 d)."""

    reason = forms.CharField(max_length=100, required=False, help_text="Why you are changing it (kept in history).")

    class Meta:
        model = SoAEntry
        fields = ["applies", "justification", "implementation_status", "owner"]
        widgets = {"justification": forms.Textarea(attrs={"rows": 4})}
        labels = {"applies": "The control applies"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["justification"].required = True
        self.fields["owner"].queryset = selectors.owner_choices()


class SoARequestForm(forms.Form):
    note = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SoADecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    rationale = forms.CharField(
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Required to reject."
    )


class SoAImportForm(forms.Form):
    file = forms.FileField(help_text="A UTF-8 CSV file with the columns key, applies, justification (as exported).")


class AsOfForm(forms.Form):
    date = forms.DateField(help_text="YYYY-MM-DD", widget=forms.DateInput(attrs={"type": "date"}))


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SoAVersion) -> str:
        return f"Version {obj.number}"


class DiffForm(forms.Form):
    """Two approved versions, or one version and the current draft (`to` left empty)."""

    old = VersionChoiceField(queryset=SoAVersion.objects.none(), label="From version")
    new = VersionChoiceField(
        queryset=SoAVersion.objects.none(), required=False, label="To version", empty_label="The current draft"
    )

    def __init__(self, *args: Any, versions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset = versions if versions is not None else SoAVersion.objects.none()
        self.fields["old"].queryset = queryset
        self.fields["new"].queryset = queryset
