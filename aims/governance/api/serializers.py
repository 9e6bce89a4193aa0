"""API serializers for governance records."""

from rest_framework import serializers

from aims.governance.models import OrganisationProfile


class OrganisationProfileSerializer(serializers.ModelSerializer):
    version = serializers.CharField(read_only=True)
    reason = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=200, help_text="Kept in the history."
    )

    class Meta:
        model = OrganisationProfile
        fields = [
            "name",
            "legal_name",
            "sector",
            "country",
            "purpose",
            "aims_contact_email",
            "updated_at",
            "version",
            "reason",
        ]
        read_only_fields = ["updated_at", "version"]
