"""Filters of the audit trail, shared by the page, the CSV export and the API."""

import django_filters

from aims.audit.choices import AuditKind
from aims.audit.models import AuditEvent


class AuditEventFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=AuditKind.choices)
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="iexact", max_length=150)
    after = django_filters.DateFilter(field_name="at", lookup_expr="date__gte")
    before = django_filters.DateFilter(field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AuditEvent
        fields = ["kind", "actor"]
