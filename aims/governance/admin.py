"""The admin is read-only for governed records (aims/core/admin.py): browse them and their history only."""

from django.contrib import admin

from aims.core.admin import GovernedAdmin, ReadOnlyAdminMixin
from aims.governance import models as m


@admin.register(m.OrganisationProfile)
class OrganisationProfileAdmin(GovernedAdmin):
    list_display = ["name", "sector", "country", "updated_at"]


for _model in (
    m.ContextIssue,
    m.InterestedParty,
    m.AimsScope,
    m.Document,
    m.DocumentVersion,
    m.ResponsibilityAssignment,
    m.TrainingRecord,
    m.Objective,
    m.Kpi,
    m.Incident,
    m.IncidentCommunication,
    m.ConcernChannel,
    m.AuditProgramme,
    m.Audit,
    m.AuditFinding,
    m.Nonconformity,
    m.CorrectiveAction,
    m.ManagementReview,
    m.ReviewAction,
):
    admin.site.register(_model, GovernedAdmin)


@admin.register(m.KpiMeasurement, m.Reminder)
class DerivedAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(m.Concern)
class ConcernAdmin(GovernedAdmin):
    """Administrators are not officers: a confidential reporter stays hidden here too."""

    exclude = ["reporter", "reporter_contact"]
    list_display = ["summary", "status", "received_at"]
