"""The risks app in the admin: browse entries and their history, change nothing (writes go through services)."""

from django.contrib import admin

from aims.core.admin import GovernedAdmin, ReadOnlyAdminMixin
from risks.models import Impact, ImpactAssessment, Risk, RiskAcceptance, RiskCriteria, TreatmentAction


@admin.register(RiskCriteria)
class RiskCriteriaAdmin(GovernedAdmin):
    list_display = ["version", "name", "in_force", "created_at"]


@admin.register(Risk)
class RiskAdmin(GovernedAdmin):
    list_display = ["id", "title", "ai_system", "level", "status", "owner", "review_on"]
    list_filter = ["status", "level", "treatment", "source"]
    search_fields = ["title", "description"]


@admin.register(TreatmentAction)
class TreatmentActionAdmin(GovernedAdmin):
    list_display = ["description", "risk", "owner", "due_on", "status"]
    list_filter = ["status"]


@admin.register(RiskAcceptance)
class RiskAcceptanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["risk", "acceptor", "level", "expires_on", "accepted_by"]


@admin.register(ImpactAssessment)
class ImpactAssessmentAdmin(GovernedAdmin):
    list_display = ["ai_system", "status", "next_review_on", "signed_off_at"]
    list_filter = ["status"]


@admin.register(Impact)
class ImpactAdmin(GovernedAdmin):
    list_display = ["assessment", "area", "scope", "severity"]
    list_filter = ["area", "scope", "severity"]
