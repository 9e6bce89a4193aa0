"""API serializers for accounts."""

from rest_framework import serializers


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")
    roles = serializers.ListField(child=serializers.CharField(), source="role_names")
    access_expires_on = serializers.DateField(allow_null=True)
