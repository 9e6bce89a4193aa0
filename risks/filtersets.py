"""One FilterSet per list, shared by the HTML pages and the API: filter, search (`q`) and sort (`sort`)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field

from aims.accounts.models import User
from registry.choices import RiskTier
from registry.filtersets import MAX_ID, MAX_QUERY, IdFilter, strict_boolean
from risks import reference
from risks.choices import AssessmentStatus, ImpactArea, RiskLevel, RiskStatus, TreatmentOption
from risks.models import ImpactAssessment, Risk, RiskCriteria


def _pattern(values: list[str]) -> dict[str, str]:
    return {"type": "string", "pattern": "^(" + "|".join(values) + ")$"}


@extend_schema_field(_pattern(RiskStatus.values))
class RiskStatusFilter(django_filters.ChoiceFilter):
    """Described inline in the schema: a named enum would collide with the other `status` enums."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=RiskStatus.choices, **kwargs)


@extend_schema_field(_pattern(AssessmentStatus.values))
class AssessmentStatusFilter(django_filters.ChoiceFilter):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=AssessmentStatus.choices, **kwargs)


def _rating(label: str, field_name: str) -> IdFilter:
    return IdFilter(field_name=field_name, min_value=1, max_value=10, label=label)


class _Search(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search", max_length=MAX_QUERY)
    search_fields: tuple[str, ...] = ()

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field_name in self.search_fields:
            condition |= Q(**{f"{field_name}__icontains": value})
        return queryset.filter(condition)


def _risk_owners() -> QuerySet[User]:
    return User.objects.filter(owned_risks__isnull=False).distinct().order_by("username")


class RiskFilterSet(_Search):
    search_fields = ("title", "description", "affected_parties", "ai_system__name", "owner__username")
    ai_system = IdFilter(field_name="ai_system_id", min_value=1, max_value=MAX_ID, label="AI system id")
    organisation_wide = strict_boolean(field_name="ai_system", lookup_expr="isnull", label="Organisation-wide")
    source = django_filters.ChoiceFilter(choices=reference.risk_source_choices, empty_label="Any source")
    status = RiskStatusFilter(method="by_status", empty_label="Any status")
    level = django_filters.ChoiceFilter(choices=RiskLevel.choices, empty_label="Any residual level")
    inherent_level = django_filters.ChoiceFilter(choices=RiskLevel.choices, empty_label="Any inherent level")
    treatment = django_filters.ChoiceFilter(choices=TreatmentOption.choices[1:], empty_label="Any treatment")
    owner = django_filters.ModelChoiceFilter(
        queryset=_risk_owners(), to_field_name="username", empty_label="Any owner", method="by_owner"
    )
    inherent_likelihood = _rating("Inherent likelihood", "inherent_likelihood")
    inherent_impact = _rating("Inherent impact", "inherent_impact")
    residual_likelihood = _rating("Residual likelihood", "residual_likelihood")
    residual_impact = _rating("Residual impact", "residual_impact")
    overdue_actions = strict_boolean(method="by_overdue", label="Has overdue actions")
    review_due_before = django_filters.DateFilter(field_name="review_on", lookup_expr="lte")
    sort = django_filters.OrderingFilter(
        fields=(
            ("residual_score", "residual_score"),
            ("inherent_score", "inherent_score"),
            ("title", "title"),
            ("review_on", "review_on"),
            ("status", "status"),
            ("ai_system__name", "ai_system"),
            ("updated_at", "updated_at"),
        ),
        label="Sort by",
    )

    class Meta:
        model = Risk
        fields = ["q", "ai_system", "source", "status", "level", "treatment", "owner"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["owner"].queryset = _risk_owners()  # evaluated per request, not at import

    def by_owner(self, queryset: QuerySet[Risk], name: str, value: User) -> QuerySet[Risk]:
        return queryset.filter(owner=value)

    def by_status(self, queryset: QuerySet[Risk], name: str, value: str) -> QuerySet[Risk]:
        return queryset.with_effective_status(value)  # type: ignore[attr-defined]

    def by_overdue(self, queryset: QuerySet[Risk], name: str, value: bool | None) -> QuerySet[Risk]:
        if value is None:
            return queryset
        overdue = Q(actions__status="open", actions__due_on__lt=timezone.localdate())
        ids = Risk.objects.filter(overdue).values("pk")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


class ImpactAssessmentFilterSet(_Search):
    search_fields = ("ai_system__name", "summary", "affected_stakeholders")
    ai_system = IdFilter(field_name="ai_system_id", min_value=1, max_value=MAX_ID, label="AI system id")
    status = AssessmentStatusFilter(empty_label="Any status")
    risk_tier = django_filters.ChoiceFilter(
        field_name="ai_system__risk_tier", choices=RiskTier.choices, empty_label="Any tier", label="EU AI Act tier"
    )
    area = django_filters.ChoiceFilter(
        field_name="impacts__area", choices=ImpactArea.choices, empty_label="Any area", distinct=True
    )
    sort = django_filters.OrderingFilter(
        fields=(("ai_system__name", "ai_system"), ("status", "status"), ("next_review_on", "next_review_on")),
        label="Sort by",
    )

    class Meta:
        model = ImpactAssessment
        fields = ["q", "ai_system", "status", "risk_tier", "area"]


class RiskCriteriaFilterSet(django_filters.FilterSet):
    in_force = strict_boolean(label="In force")

    class Meta:
        model = RiskCriteria
        fields = ["in_force"]
