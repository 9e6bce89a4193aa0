"""Forms of the register. They parse; the services validate the model (`full_clean()`) and the views put those
errors back on the form's fields, so a rule lives in one place and reads the same in the UI and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from aims.accounts.models import User
from registry import classification
from registry.choices import DataCategory, PiiEntity, PiiOperator
from registry.models import AISystem, CatalogModel, Supplier, SupplierAssessment, UseCase
from registry.services import MODEL_FIELDS, SUPPLIER_FIELDS, SYSTEM_FIELDS

REASON_HELP = "Why you are making this change (kept in the history)."


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's validation errors on the form fields they name, the rest at the top."""
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            if name in form.fields:
                form.add_error(name, messages)
            else:
                label = name.replace("_", " ").capitalize() if name != "__all__" else ""
                form.add_error(None, [f"{label}: {m}" if label else m for m in messages])
    else:
        form.add_error(None, exc.messages)


class ServiceModelForm(forms.ModelForm):
    """A ModelForm whose model validation is left to the service, which runs `full_clean()` before saving."""

    reason = forms.CharField(max_length=100, required=False, help_text=REASON_HELP)

    def _post_clean(self) -> None:
        pass


class DateInput(forms.DateInput):
    input_type = "date"


class AISystemForm(ServiceModelForm):
    owner = forms.ModelChoiceField(queryset=User.objects.none(), help_text="The person accountable for the system.")

    class Meta:
        model = AISystem
        fields = [*SYSTEM_FIELDS, "suppliers"]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "oversight_notes": forms.Textarea(attrs={"rows": 2}),
            "data_resources": forms.Textarea(attrs={"rows": 2}),
            "tooling_resources": forms.Textarea(attrs={"rows": 2}),
            "compute_resources": forms.Textarea(attrs={"rows": 2}),
            "human_resources": forms.Textarea(attrs={"rows": 2}),
            "next_review_on": DateInput(),
            "suppliers": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args: Any, may_reassign: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("username")
        self.fields["suppliers"].queryset = Supplier.objects.order_by("name")
        self.fields["suppliers"].required = False
        if not may_reassign:
            self.fields["owner"].disabled = True
            self.fields["owner"].help_text = "Only a governance officer may hand the system to another owner."


class UseCaseForm(ServiceModelForm):
    data_categories = forms.MultipleChoiceField(
        choices=DataCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Every kind of data the use case processes.",
    )

    class Meta:
        model = UseCase
        fields = ["key", "name", "description", "data_categories", "redaction_required", "fail_mode", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Gateways and recorded evidence refer to the key: it never changes.
            self.fields["key"].disabled = True
            self.fields["key"].help_text = "The key is stable: gateways and evidence refer to it."
        policy = self.instance.pii_policy or {} if self.instance.pk else {}
        for entity in PiiEntity:
            self.fields[f"pii_{entity.value}"] = forms.ChoiceField(
                label=f"PII: {entity.label} ({entity.value})",
                choices=[("", "Not handled"), *PiiOperator.choices],
                required=False,
                initial=policy.get(entity.value, ""),
            )
        self.order_fields([*self.Meta.fields, *(f"pii_{e.value}" for e in PiiEntity), "reason"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["pii_policy"] = {
            entity.value: data[f"pii_{entity.value}"] for entity in PiiEntity if data.get(f"pii_{entity.value}")
        }
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "data_categories": list(data["data_categories"]),
            "redaction_required": data["redaction_required"],
            "pii_policy": data["pii_policy"],
            "fail_mode": data["fail_mode"],
            "active": data["active"],
        }


class CatalogModelForm(ServiceModelForm):
    class Meta:
        model = CatalogModel
        fields = [*MODEL_FIELDS, "use_cases"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "use_cases": forms.CheckboxSelectMultiple()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["use_cases"].queryset = UseCase.objects.select_related("ai_system").order_by("key")
        self.fields["use_cases"].required = False
        self.fields["supplier"].queryset = Supplier.objects.order_by("name")


class SupplierForm(ServiceModelForm):
    class Meta:
        model = Supplier
        fields = list(SUPPLIER_FIELDS)
        widgets = {"services": forms.Textarea(attrs={"rows": 3})}


class SupplierAssessmentForm(ServiceModelForm):
    reason = None  # an assessment is recorded once, never edited

    class Meta:
        model = SupplierAssessment
        fields = ["assessed_on", "assessor", "outcome", "notes", "next_due"]
        widgets = {"assessed_on": DateInput(), "next_due": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessor"].queryset = User.objects.filter(is_active=True).order_by("username")
        self.fields["assessor"].required = False
        self.fields["assessor"].help_text = "Leave empty if you assessed it yourself."


class DecisionRequestForm(forms.Form):
    note = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ModelDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    rationale = forms.CharField(
        max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Required to reject."
    )


class ClassificationForm(forms.Form):
    """The EU AI Act questionnaire, built from the reference data (ids kept as the choice values)."""

    SECTIONS = (
        ("Art. 5: prohibited practices", ("prohibited_practices",)),
        ("Art. 6(1): products under Annex I", ("annex_i_product", "annex_i_third_party_assessment")),
        ("Art. 6(2): Annex III areas", ("annex_iii_areas",)),
        ("Art. 6(3): exemption", ("art_6_3_exemption", "art_6_3_condition", "profiling")),
        ("Art. 50: transparency duties", ("transparency_duties",)),
        ("Chapter V: general-purpose AI models", ("gpai_model", "gpai_systemic_risk")),
    )

    prohibited_practices = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Does the system do any of these?"
    )
    annex_i_product = forms.BooleanField(required=False)
    annex_i_third_party_assessment = forms.BooleanField(
        required=False,
        label="Does that Union harmonisation legislation require a third-party conformity assessment of the product?",
    )
    annex_iii_areas = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Is the intended purpose in any of these areas?"
    )
    art_6_3_exemption = forms.BooleanField(required=False)
    art_6_3_condition = forms.ChoiceField(required=False, label="Which condition does the system meet?")
    profiling = forms.BooleanField(required=False, label="Does the system profile natural persons?")
    transparency_duties = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Which of these describe the system?"
    )
    gpai_model = forms.BooleanField(
        required=False, label="Is the system, or does the organisation provide, a general-purpose AI model?"
    )
    gpai_systemic_risk = forms.BooleanField(required=False, label="Does that model have systemic risk?")
    reason = forms.CharField(max_length=100, required=False, help_text=REASON_HELP)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ref = classification.reference()
        self.fields["prohibited_practices"].choices = [
            (o.id, f"Art. {o.id}: {o.text}") for o in ref.prohibited_practices
        ]
        self.fields[
            "annex_i_product"
        ].label = "Is the system a product, or a safety component of a product, under Annex I?"
        self.fields["annex_i_product"].help_text = ref.annex_i_route
        self.fields["annex_iii_areas"].choices = [
            (o.id, f"Area {o.id}: {o.text} ({'; '.join(o.detail)})") for o in ref.annex_iii_areas
        ]
        self.fields["art_6_3_exemption"].label = "Does the Art. 6(3) exemption apply (no significant risk of harm)?"
        self.fields["art_6_3_exemption"].help_text = ref.derogation
        self.fields["art_6_3_condition"].choices = [("", "—"), *classification.EXEMPTION_CONDITIONS.items()]
        self.fields["transparency_duties"].choices = [
            (o.id, f"Art. {o.id}: {o.text} {' '.join(o.detail)}") for o in ref.transparency_duties
        ]
        self.fields["transparency_duties"].help_text = ref.transparency_note
        self.fields["gpai_model"].help_text = ref.gpai_definition
        self.fields["gpai_systemic_risk"].help_text = ref.gpai_threshold

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def answers(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in classification.ANSWER_FIELDS}


class ImportForm(forms.Form):
    file = forms.FileField(help_text="A UTF-8 CSV file with a header row, as the export writes it.")
