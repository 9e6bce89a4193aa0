"""The period selector: the last 7, 30 or 90 days, or a from/to range of whole UTC days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.utils import timezone

DEFAULT_DAYS = 30
PRESETS = (7, 30, 90)
# A year and a bit covers every management-review period; beyond that the daily bars stop being readable.
MAX_SPAN_DAYS = 400


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def query(self) -> dict[str, str]:
        """The period as query parameters, so links between dashboard pages keep it."""
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"


def last_days(days: int, today: date | None = None) -> Period:
    today = today or timezone.now().date()
    return Period(today - timedelta(days=days - 1), today)


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(
        label="Period",
        choices=[("", "Choose dates below")] + [(str(n), f"Last {n} days") for n in PRESETS],
        coerce=int,
        empty_value=None,
        required=False,
        initial=str(DEFAULT_DAYS),
    )
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    # The URL says from/to (shorter, and what the evidence explorer uses); Python cannot name fields so.
    URL_NAMES = {"start": "from", "end": "to"}

    def add_prefix(self, field_name: str) -> str:
        return self.URL_NAMES.get(field_name, field_name)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if self.errors:
            return cleaned
        if start or end:
            if not (start and end):
                raise forms.ValidationError("Give both dates of the period, or choose one of the presets.")
            if start > end:
                raise forms.ValidationError("The period's start must not be after its end.")
            today = timezone.now().date()
            if start > today:
                raise forms.ValidationError("The period cannot start in the future.")
            if (end - start).days + 1 > MAX_SPAN_DAYS:
                raise forms.ValidationError(f"Choose a period of at most {MAX_SPAN_DAYS} days.")
        return cleaned

    def period(self) -> Period:
        """The chosen period; call after is_valid(). Dates win over a preset when both are given."""
        data = self.cleaned_data
        if data.get("start") and data.get("end"):
            return Period(data["start"], data["end"])
        return last_days(data.get("days") or DEFAULT_DAYS)


def parse_period(params: object) -> tuple[Period, PeriodForm]:
    """The period the query asks for, or the default with the form's errors to show (never an exception)."""
    has_input = any(params.get(name) for name in ("days", "from", "to"))  # type: ignore[attr-defined]
    form = PeriodForm(params if has_input else None)
    if has_input and form.is_valid():
        return form.period(), form
    return last_days(DEFAULT_DAYS), form
