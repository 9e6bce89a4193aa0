"""One FilterSet per list, shared by the HTML page and the API."""

import django_filters

from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.models import Decision


class DecisionFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DecisionStatus.choices)
    kind = django_filters.ChoiceFilter(choices=DecisionKind.choices)
    requested_after = django_filters.DateFilter(field_name="requested_at", lookup_expr="date__gte")
    requested_before = django_filters.DateFilter(field_name="requested_at", lookup_expr="date__lte")

    class Meta:
        model = Decision
        fields = ["status", "kind"]
