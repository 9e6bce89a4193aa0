"""One FilterSet per list, shared by the HTML register and the API: filter, search (`q`) and sort (`sort`)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from drf_spectacular.utils import extend_schema_field

from aims.accounts.models import User
from registry.choices import (
    AIRole,
    DataCategory,
    Deployment,
    FailMode,
    LifecycleStage,
    ModelApprovalStatus,
    RiskTier,
    SupplierKind,
    SystemStatus,
)
from registry.models import AISystem, CatalogModel, Supplier, UseCase

# Long enough for any name or phrase; longer input is refused with 400 rather than sent to the database.
MAX_QUERY = 200
# Ids beyond a 32-bit integer would overflow SQLite's driver and answer 500 instead of "no match".
MAX_ID = 2**31 - 1


@extend_schema_field({"type": "string", "pattern": "^(" + "|".join(SystemStatus.values) + ")$"})
class SystemStatusFilter(django_filters.ChoiceFilter):
    """Described inline in the schema: a pattern, as a named enum would collide with the decisions' `status` enum."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=SystemStatus.choices, **kwargs)


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


def _owners() -> QuerySet[User]:
    return User.objects.filter(owned_ai_systems__isnull=False).distinct().order_by("username")


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


class AISystemFilterSet(_Search):
    search_fields = ("name", "purpose", "business_unit", "owner__username", "owner__last_name")
    status = SystemStatusFilter(empty_label="Any status")
    risk_tier = django_filters.ChoiceFilter(choices=RiskTier.choices, empty_label="Any tier")
    lifecycle_stage = django_filters.ChoiceFilter(choices=LifecycleStage.choices, empty_label="Any stage")
    ai_role = django_filters.ChoiceFilter(choices=AIRole.choices, empty_label="Any role", label="AI role")
    deployment = django_filters.ChoiceFilter(choices=Deployment.choices, empty_label="Any deployment")
    owner = django_filters.ModelChoiceFilter(
        queryset=_owners(), to_field_name="username", empty_label="Any owner", method="by_owner"
    )
    business_unit = django_filters.CharFilter(lookup_expr="iexact", max_length=120)
    review_due_before = django_filters.DateFilter(field_name="next_review_on", lookup_expr="lte")
    gpai_model = strict_boolean(label="General-purpose AI model")
    sort = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("risk_tier", "risk_tier"),
            ("status", "status"),
            ("lifecycle_stage", "lifecycle_stage"),
            ("next_review_on", "next_review_on"),
            ("business_unit", "business_unit"),
            ("owner__username", "owner"),
            ("updated_at", "updated_at"),
        ),
        label="Sort by",
    )

    class Meta:
        model = AISystem
        fields = ["q", "status", "risk_tier", "lifecycle_stage", "ai_role", "deployment", "owner", "business_unit"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.filters["owner"].queryset = _owners()  # evaluated per request, not at import

    def by_owner(self, queryset: QuerySet[AISystem], name: str, value: User) -> QuerySet[AISystem]:
        return queryset.filter(owner=value)


class UseCaseFilterSet(_Search):
    search_fields = ("key", "name", "description", "ai_system__name")
    ai_system = IdFilter(field_name="ai_system_id", min_value=1, max_value=MAX_ID, label="AI system id")
    fail_mode = django_filters.ChoiceFilter(choices=FailMode.choices, empty_label="Any fail mode")
    redaction_required = strict_boolean(label="Redaction required")
    active = strict_boolean(label="Active")
    data_category = django_filters.ChoiceFilter(
        choices=DataCategory.choices, method="by_category", empty_label="Any data", label="Processes"
    )
    sort = django_filters.OrderingFilter(
        fields=(("key", "key"), ("name", "name"), ("ai_system__name", "ai_system"), ("updated_at", "updated_at")),
        label="Sort by",
    )

    class Meta:
        model = UseCase
        fields = ["q", "ai_system", "fail_mode", "redaction_required", "active", "data_category"]

    def by_category(self, queryset: QuerySet[UseCase], name: str, value: str) -> QuerySet[UseCase]:
        # JSON containment differs between SQLite and PostgreSQL; matching the quoted value works on both, and
        # the values are fixed choices, so one cannot be a substring of another's quoted form.
        return queryset.filter(data_categories__icontains=f'"{value}"')


class CatalogModelFilterSet(_Search):
    search_fields = ("provider", "gateway_name", "display_name", "version", "hosting_region")
    provider = django_filters.CharFilter(lookup_expr="iexact", max_length=80)
    gateway_name = django_filters.CharFilter(lookup_expr="iexact", max_length=120)
    hosting_region = django_filters.CharFilter(lookup_expr="icontains", max_length=60)
    supplier = IdFilter(field_name="supplier_id", min_value=1, max_value=MAX_ID, label="Supplier id")
    use_case = django_filters.CharFilter(
        field_name="use_cases__key", max_length=64, label="Use case key", distinct=True
    )
    approval_status = django_filters.ChoiceFilter(
        choices=ModelApprovalStatus.choices, method="by_status", empty_label="Any approval status"
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("provider", "provider"),
            ("gateway_name", "gateway_name"),
            ("hosting_region", "hosting_region"),
            ("updated_at", "updated_at"),
        ),
        label="Sort by",
    )

    class Meta:
        model = CatalogModel
        fields = ["q", "provider", "gateway_name", "hosting_region", "supplier", "use_case", "approval_status"]

    def by_status(self, queryset: QuerySet[CatalogModel], name: str, value: str) -> QuerySet[CatalogModel]:
        return queryset.with_status(value)  # type: ignore[attr-defined]


class SupplierFilterSet(_Search):
    search_fields = ("name", "services", "contact_email")
    kind = django_filters.ChoiceFilter(choices=SupplierKind.choices, empty_label="Any kind")
    critical = strict_boolean(label="Critical")
    country = django_filters.CharFilter(lookup_expr="iexact", max_length=2)
    sort = django_filters.OrderingFilter(
        fields=(("name", "name"), ("kind", "kind"), ("country", "country"), ("updated_at", "updated_at")),
        label="Sort by",
    )

    class Meta:
        model = Supplier
        fields = ["q", "kind", "critical", "country"]
