from rest_framework import serializers

from aims.audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "kind", "actor", "summary", "subject_type", "subject_id", "ip_address", "details"]
