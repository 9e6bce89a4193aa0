"""The register in the admin: browse entries and their history, change nothing (writes go through services)."""

from django.contrib import admin

from aims.core.admin import GovernedAdmin
from registry.models import AISystem, CatalogModel, Supplier, SupplierAssessment, UseCase


@admin.register(AISystem)
class AISystemAdmin(GovernedAdmin):
    list_display = ["name", "owner", "business_unit", "status", "risk_tier"]
    list_filter = ["status", "risk_tier", "lifecycle_stage"]
    search_fields = ["name", "purpose"]


@admin.register(UseCase)
class UseCaseAdmin(GovernedAdmin):
    list_display = ["key", "name", "ai_system", "redaction_required", "fail_mode", "active"]
    search_fields = ["key", "name"]


@admin.register(CatalogModel)
class CatalogModelAdmin(GovernedAdmin):
    list_display = ["provider", "gateway_name", "version", "hosting_region", "spec_revision"]
    search_fields = ["provider", "gateway_name"]


@admin.register(Supplier)
class SupplierAdmin(GovernedAdmin):
    list_display = ["name", "kind", "country", "critical"]
    search_fields = ["name"]


@admin.register(SupplierAssessment)
class SupplierAssessmentAdmin(GovernedAdmin):
    list_display = ["supplier", "assessed_on", "outcome", "next_due"]
