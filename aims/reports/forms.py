"""The form that asks for a report: a kind the person may ask for, and the parameters kinds take."""

from __future__ import annotations

from typing import Any

from django import forms

from aims.reports import kinds
from aims.reports.kinds.base import AS_OF, DATE_FROM, DATE_TO, SEED


class DateInput(forms.DateInput):
    input_type = "date"


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label="Report")
    as_of = forms.DateField(
        label="As of",
        required=False,
        widget=DateInput,
        help_text="For the SoA: the day it was in force. Default: today.",
    )
    date_from = forms.DateField(
        label="From", required=False, widget=DateInput, help_text="For reports over a period. Default: by kind."
    )
    date_to = forms.DateField(label="To", required=False, widget=DateInput, help_text="Default: today.")
    seed = forms.IntegerField(
        label="Sampling seed", required=False, min_value=0, help_text="Evidence packs only; blank picks one."
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(spec.key, spec.title) for spec in kinds.kinds_for(user)]

    def parameters(self) -> dict[str, Any]:
        """Only what the chosen kind takes: a period typed in for the SoA is not an error on this form."""
        spec = kinds.get(self.cleaned_data["kind"])
        taken = spec.params if spec else ()
        values = {name: self.cleaned_data.get(name) for name in (AS_OF, DATE_FROM, DATE_TO, SEED)}
        return {name: value for name, value in values.items() if name in taken and value not in (None, "")}
