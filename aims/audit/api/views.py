"""Read-only API of the audit trail."""

from django.db.models import QuerySet
from rest_framework import mixins, viewsets

from aims.audit import selectors
from aims.audit.api.serializers import AuditEventSerializer
from aims.audit.filtersets import AuditEventFilterSet
from aims.audit.models import AuditEvent


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The portal's audit trail: logins, token use, downloads, approvals, role and configuration changes."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    ordering_fields = ["at"]
    search_fields = ["summary", "actor_label"]
    queryset = AuditEvent.objects.none()

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return selectors.audit_events_for(self.request.user)
