"""One FilterSet per list, shared by the HTML catalog and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from aims.accounts.models import User
from controls.choices import ImplementationStatus, LinkStrength, RequirementKind, RequirementStatus
from controls.models import ControlImplementation, CrosswalkLink, Framework, Requirement

# Long enough for any ref or phrase; longer input is refused with 400 rather than sent to the database.
MAX_QUERY = 200
# Ids beyond a 32-bit integer would overflow SQLite's driver and answer 500 instead of "no match".
MAX_ID = 2**31 - 1


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


def strict_boolean(**kwargs: object) -> django_filters.TypedChoiceFilter:
    """Only "true" or "false": django-filter's BooleanFilter ignores anything else, silently widening the list."""
    return django_filters.TypedChoiceFilter(
        choices=[("", "Either"), ("true", "Yes"), ("false", "No")],
        coerce=lambda value: value == "true",
        empty_value=None,
        **kwargs,
    )


class RequirementFilterSet(django_filters.FilterSet):
    framework = django_filters.ModelChoiceFilter(
        queryset=Framework.objects.all(), to_field_name="slug", empty_label="All frameworks"
    )
    kind = django_filters.ChoiceFilter(choices=RequirementKind.choices, empty_label="Any kind")
    status = django_filters.ChoiceFilter(choices=RequirementStatus.choices, empty_label="Any status")
    q = django_filters.CharFilter(method="search", label="Search", max_length=MAX_QUERY)

    class Meta:
        model = Requirement
        fields = ["framework", "kind", "status", "q"]

    def search(self, queryset: QuerySet[Requirement], name: str, value: str) -> QuerySet[Requirement]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(ref__icontains=value)
            | Q(title__icontains=value)
            | Q(text__icontains=value)
            | Q(guidance__icontains=value)
        )


class CrosswalkLinkFilterSet(django_filters.FilterSet):
    requirement = IdFilter(method="either_side", label="Requirement id (either side)", min_value=1, max_value=MAX_ID)
    framework = django_filters.ModelChoiceFilter(
        queryset=Framework.objects.all(),
        to_field_name="slug",
        method="framework_either_side",
        empty_label="All frameworks",
        label="Framework (either side)",
    )
    from_framework = django_filters.ModelChoiceFilter(
        field_name="from_requirement__framework", queryset=Framework.objects.all(), to_field_name="slug"
    )
    to_framework = django_filters.ModelChoiceFilter(
        field_name="to_requirement__framework", queryset=Framework.objects.all(), to_field_name="slug"
    )
    strength = django_filters.ChoiceFilter(choices=LinkStrength.choices, empty_label="Any strength")
    inferred = strict_boolean(label="Inferred")
    source = django_filters.CharFilter(max_length=40, label="Source (basis)")
    withdrawn = strict_boolean(label="Withdrawn")

    class Meta:
        model = CrosswalkLink
        fields = ["requirement", "framework", "from_framework", "to_framework", "strength", "inferred", "source"]

    def either_side(self, queryset: QuerySet[CrosswalkLink], name: str, value: int) -> QuerySet[CrosswalkLink]:
        return queryset.filter(Q(from_requirement_id=value) | Q(to_requirement_id=value))

    def framework_either_side(
        self, queryset: QuerySet[CrosswalkLink], name: str, value: Framework
    ) -> QuerySet[CrosswalkLink]:
        return queryset.filter(Q(from_requirement__framework=value) | Q(to_requirement__framework=value))


class ImplementationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ImplementationStatus.choices, empty_label="Any status")
    owner = django_filters.ModelChoiceFilter(
        queryset=User.objects.filter(is_active=True), to_field_name="username", empty_label="Anyone"
    )
    requirement = IdFilter(
        field_name="requirement_links__requirement", label="Satisfies requirement id", min_value=1, max_value=MAX_ID
    )
    framework = django_filters.ModelChoiceFilter(
        field_name="requirement_links__requirement__framework",
        queryset=Framework.objects.all(),
        to_field_name="slug",
        empty_label="All frameworks",
        distinct=True,
    )
    q = django_filters.CharFilter(method="search", label="Search", max_length=MAX_QUERY)

    class Meta:
        model = ControlImplementation
        fields = ["status", "owner", "requirement", "framework", "q"]

    def search(
        self, queryset: QuerySet[ControlImplementation], name: str, value: str
    ) -> QuerySet[ControlImplementation]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(description__icontains=value))
