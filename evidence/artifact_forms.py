"""Forms of manual evidence artifacts: the artifact with its first files, and more files later."""

from __future__ import annotations

from typing import Any

from django import forms

from controls.models import ControlImplementation
from evidence.artifacts_services import MAX_FILES_PER_UPLOAD
from evidence.models import EvidenceArtifact


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe); each is checked by the service, by content."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            if len(data) > MAX_FILES_PER_UPLOAD:
                raise forms.ValidationError(f"At most {MAX_FILES_PER_UPLOAD} files at a time.")
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ImplementationChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: ControlImplementation) -> str:
        return f"{obj.code} {obj.name}"


FILES_HELP = "PDF, PNG, JPEG, text, CSV, Markdown, DOCX or XLSX; the type is checked from the content."


class ArtifactForm(forms.ModelForm):
    implementations = ImplementationChoiceField(
        queryset=ControlImplementation.objects.order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="The controls this evidences; it counts for every requirement they satisfy.",
    )
    files = MultipleFileField(help_text=FILES_HELP)
    reason = forms.CharField(max_length=100, required=False, help_text="Kept in the history.")

    class Meta:
        model = EvidenceArtifact
        fields = ["title", "description", "effective_on", "expires_on", "implementations"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "effective_on": forms.DateInput(attrs={"type": "date"}),
            "expires_on": forms.DateInput(attrs={"type": "date"}),
        }


class ArtifactFilesForm(forms.Form):
    files = MultipleFileField(help_text=FILES_HELP)
    reason = forms.CharField(max_length=100, required=False, help_text="Kept in the history.")


class ArtifactEditForm(forms.ModelForm):
    """The artifact's text, dates and controls; files are added, never replaced (each keeps its digest)."""

    implementations = ImplementationChoiceField(
        queryset=ControlImplementation.objects.order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="The controls this evidences; it counts for every requirement they satisfy.",
    )
    reason = forms.CharField(max_length=100, required=False, help_text="Kept in the history.")

    class Meta:
        model = EvidenceArtifact
        fields = ["title", "description", "effective_on", "expires_on", "implementations"]
        widgets = ArtifactForm.Meta.widgets
