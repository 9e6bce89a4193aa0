"""Serializers shared by every app's API, including the documented error shape."""

from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    """Every 4xx and 5xx of the API has this body."""

    error = ErrorDetailSerializer()


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")


class DecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    subject_type = serializers.CharField(source="subject_type.model")
    subject_id = serializers.CharField()
    subject_label = serializers.CharField()
    subject_version = serializers.CharField()
    status = serializers.CharField()
    requested_by = UserRefSerializer()
    requested_at = serializers.DateTimeField()
    request_note = serializers.CharField()
    decided_by = UserRefSerializer(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    rationale = serializers.CharField()


class DecideSerializer(serializers.Serializer):
    rationale = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class DecisionRequestSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
