"""FilterSets of the evidence explorer, shared by its pages and its API (bad filters answer 400 on both).

Events are many (millions a month), so every event query is bounded by a period on `received_at`, the column
the store is indexed and partitioned by: without one, the last 7 days are shown. Filtering by `occurred_at`
also bounds `received_at` from below, since an event is refused when it claims a time more than five minutes
after its arrival.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from drf_spectacular.utils import extend_schema_field

from controls.choices import CheckOutcome
from controls.models import ControlCheckResult
from evidence.choices import EventKind, Outcome
from evidence.models import Checkpoint, Event, EvidenceSource

DEFAULT_PERIOD = timedelta(days=7)
FUTURE_SKEW = timedelta(minutes=5)  # ingest.Limits.future_skew: occurred_at is never later than this past arrival
MAX_TEXT = 200


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _pattern(values: list[str]) -> dict[str, str]:
    return {"type": "string", "pattern": "^(" + "|".join(values) + ")$"}


@extend_schema_field(_pattern(Outcome.values))
class DecisionFilter(django_filters.ChoiceFilter):
    """Described inline (a pattern): a named enum would collide with the decisions' `status` enums."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Outcome.choices, **kwargs)


@extend_schema_field(_pattern(EventKind.values))
class KindFilter(django_filters.ChoiceFilter):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=EventKind.choices, **kwargs)


@extend_schema_field(_pattern(CheckOutcome.values))
class CheckOutcomeFilter(django_filters.ChoiceFilter):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=CheckOutcome.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": ["received", "occurred"]})
class PeriodFieldFilter(django_filters.ChoiceFilter):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=[("received", "Received"), ("occurred", "Occurred")], **kwargs)


class DayField(forms.DateField):
    """A day within sane bounds, so that the period arithmetic (a day added, a skew taken off) cannot overflow
    into a 500."""

    default_validators = [MinValueValidator(date(1970, 1, 1)), MaxValueValidator(date(9000, 1, 1))]


@extend_schema_field({"type": "string", "format": "date"})
class DayFilter(django_filters.DateFilter):
    """A UTC day (YYYY-MM-DD)."""

    field_class = DayField


def rule_condition(rule_id: str) -> RawSQL:
    """Events whose `policy.rule_ids` holds exactly this id, read from the canonical JSON text.

    An exact JSON lookup per vendor (not a LIKE, which would also match the id inside reasons or attributes);
    it runs only on the rows the period and the other filters already selected.
    """
    if connection.vendor == "postgresql":
        sql = """jsonb_exists(("evidence_event"."canonical")::jsonb #> '{event,policy,rule_ids}', %s)"""
    else:
        sql = (
            """EXISTS (SELECT 1 FROM json_each("evidence_event"."canonical", '$.event.policy.rule_ids') """
            "WHERE json_each.value = %s)"
        )
    # Constant SQL; the rule id is a bound parameter.
    return RawSQL(sql, [rule_id], output_field=BooleanField())  # noqa: S611


class EventFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError({"date_to": "The end of the period is before its start."})
        return data


class EventFilterSet(django_filters.FilterSet):
    source = django_filters.ModelChoiceFilter(
        queryset=EvidenceSource.objects.order_by("name"), to_field_name="name", empty_label="Any source"
    )
    use_case = django_filters.CharFilter(max_length=128, label="Use case")
    model = django_filters.CharFilter(field_name="model_requested", max_length=MAX_TEXT, label="Model")
    decision = DecisionFilter(empty_label="Any decision")
    kind = KindFilter(empty_label="Any kind")
    rule = django_filters.CharFilter(method="by_rule", max_length=MAX_TEXT, label="Rule id")
    period = PeriodFieldFilter(method="by_period", empty_label="Received", label="Period applies to")
    date_from = DayFilter(method="by_period", label="From (UTC day)")
    date_to = DayFilter(method="by_period", label="To (UTC day, inclusive)")

    class Meta:
        model = Event
        fields: list[str] = []
        form = EventFilterForm

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        # Always bound, so that the default period applies even when no filter was given.
        super().__init__(data if data is not None else {}, *args, **kwargs)

    def by_rule(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        value = value.strip()
        return queryset.filter(rule_condition(value)) if value else queryset

    def by_period(self, queryset: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        return queryset  # applied once, with all three values, in filter_queryset

    def bounds(self) -> tuple[str, datetime, datetime | None]:
        """The period actually applied: (received|occurred, start, end or None)."""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        field = data.get("period") or "received"
        start_day, end_day = data.get("date_from"), data.get("date_to")
        end = day_start(end_day) + timedelta(days=1) if end_day else None
        if start_day:
            start = day_start(start_day)
        elif end is not None:
            start = end - DEFAULT_PERIOD
        else:
            start = datetime.now(UTC) - DEFAULT_PERIOD
        return field, start, end

    def filter_queryset(self, queryset: QuerySet[Event]) -> QuerySet[Event]:
        queryset = super().filter_queryset(queryset)
        field, start, end = self.bounds()
        if field == "occurred":
            queryset = queryset.filter(occurred_at__gte=start, received_at__gte=start - FUTURE_SKEW)
            if end is not None:
                queryset = queryset.filter(occurred_at__lt=end)
        else:
            queryset = queryset.filter(received_at__gte=start)
            if end is not None:
                queryset = queryset.filter(received_at__lt=end)
        return queryset


class CheckpointFilterSet(django_filters.FilterSet):
    source = django_filters.ModelChoiceFilter(
        queryset=EvidenceSource.objects.order_by("name"), to_field_name="name", empty_label="Any source"
    )
    date_from = DayFilter(field_name="day", lookup_expr="gte", label="From day")
    date_to = DayFilter(field_name="day", lookup_expr="lte", label="To day")
    key_id = django_filters.CharFilter(field_name="key_id", max_length=16, label="Key id")

    class Meta:
        model = Checkpoint
        fields: list[str] = []


class CheckResultFilterSet(django_filters.FilterSet):
    implementation = django_filters.CharFilter(
        field_name="implementation__code", max_length=MAX_TEXT, label="Control implementation code"
    )
    control = django_filters.CharFilter(method="by_control", max_length=MAX_TEXT, label="Control (requirement ref)")
    metric = django_filters.CharFilter(max_length=80)
    outcome = CheckOutcomeFilter(empty_label="Any outcome")
    date_from = DayFilter(method="by_from", label="Period ends on or after (UTC day)")
    date_to = DayFilter(method="by_to", label="Period starts on or before (UTC day)")

    class Meta:
        model = ControlCheckResult
        fields: list[str] = []

    def by_control(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(implementation__requirements__ref=value).distinct()

    def by_from(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(period_end__gte=day_start(value))

    def by_to(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        return queryset.filter(period_start__lt=day_start(value) + timedelta(days=1))
