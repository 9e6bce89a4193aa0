"""Forms of the controls app: a control implementation (the catalog itself has no form: the loader writes it)."""

from __future__ import annotations

from typing import Any

from django import forms

from controls import selectors
from controls.choices import RequirementStatus
from controls.models import ControlImplementation, Requirement


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
        fields = ["code", "name", "description", "owner", "status", "requirements"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

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
