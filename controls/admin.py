"""The admin shows the catalog and its history; it changes nothing (the loader is the only writer)."""

from django.contrib import admin

from aims.core.admin import GovernedAdmin, ReadOnlyAdminMixin
from controls.models import (
    ControlCheckResult,
    ControlImplementation,
    CrosswalkLink,
    EnforcementMetric,
    Framework,
    Requirement,
    SoAEntry,
    SoAVersion,
)


@admin.register(Framework)
class FrameworkAdmin(GovernedAdmin):
    list_display = ["short_name", "slug", "kind", "version"]


@admin.register(Requirement)
class RequirementAdmin(GovernedAdmin):
    list_display = ["ref", "title", "framework", "kind", "status"]
    list_filter = ["framework", "kind", "status"]
    search_fields = ["ref", "title"]


@admin.register(CrosswalkLink)
class CrosswalkLinkAdmin(GovernedAdmin):
    list_display = ["from_requirement", "to_requirement", "strength", "source", "inferred", "withdrawn"]
    list_filter = ["strength", "source", "inferred", "withdrawn"]


@admin.register(EnforcementMetric)
class EnforcementMetricAdmin(GovernedAdmin):
    list_display = ["code", "name", "window", "withdrawn"]


@admin.register(ControlImplementation)
class ControlImplementationAdmin(GovernedAdmin):
    list_display = ["code", "name", "owner", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["code", "name"]


@admin.register(SoAEntry)
class SoAEntryAdmin(GovernedAdmin):
    list_display = ["__str__", "applies", "implementation_status", "owner", "updated_at"]
    list_filter = ["applies", "implementation_status"]


@admin.register(SoAVersion)
class SoAVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # immutable, so no history of its own
    list_display = ["__str__", "number", "approved_at", "requested_by", "snapshot_sha256"]


@admin.register(ControlCheckResult)
class ControlCheckResultAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):  # append-only, derived
    list_display = ["implementation", "metric", "period_end", "outcome", "source"]
    list_filter = ["outcome"]
