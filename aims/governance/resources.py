"""The records of the management system as one table: each one's model, pages, fields and API route.

The pages (views.py) and the API (api/views.py) are generated from these specs, so every record gets the same
list, detail, create, edit and History tab, with the same permissions, and nobody has to remember one. Records
that belong to a parent (a KPI to its objective, a finding to its audit) name the parent field: they are created
from the parent's page and listed on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from aims.governance import models as m


@dataclass(frozen=True)
class Resource:
    slug: str  # URL-name prefix: "<slug>-list", "<slug>-detail", ...
    path: str  # URL path segment of pages and API routes
    model: type[models.Model]
    fields: tuple[str, ...]  # what forms and the API may write
    columns: tuple[str, ...]  # what the list shows
    title: str
    parent: str | None = None  # the FK to the parent record, for child records
    api_basename: str = ""
    create_via_service: bool = False  # created by a named service, not create_record
    editable: bool = True
    read_only_api: tuple[str, ...] = field(default_factory=tuple)

    @property
    def view_perm(self) -> str:
        return f"governance.view_{self.model._meta.model_name}"

    @property
    def add_perm(self) -> str:
        return f"governance.add_{self.model._meta.model_name}"

    @property
    def change_perm(self) -> str:
        return f"governance.change_{self.model._meta.model_name}"


RESOURCES: list[Resource] = [
    Resource(
        "issue",
        "context-issues",
        m.ContextIssue,
        ("kind", "title", "description", "effect", "active"),
        ("title", "kind", "active"),
        "Context issues",
        api_basename="aims-context-issue",
    ),
    Resource(
        "party",
        "interested-parties",
        m.InterestedParty,
        ("name", "requirements", "addressed_by_aims"),
        ("name", "addressed_by_aims"),
        "Interested parties",
        api_basename="aims-interested-party",
    ),
    Resource(
        "document",
        "documents",
        m.Document,
        ("title", "kind", "owner", "review_interval_months", "next_review_on"),
        ("title", "kind", "owner", "next_review_on"),
        "Documents",
        api_basename="aims-document",
    ),
    Resource(
        "version",
        "document-versions",
        m.DocumentVersion,
        ("body", "change_summary"),
        ("number", "change_summary", "created_by"),
        "Document versions",
        parent="document",
        api_basename="aims-document-version",
        create_via_service=True,
    ),
    Resource(
        "responsibility",
        "responsibilities",
        m.ResponsibilityAssignment,
        ("activity", "ai_system", "person", "responsibility"),
        ("activity", "ai_system", "person", "responsibility"),
        "Responsibility matrix",
        api_basename="aims-responsibility",
    ),
    Resource(
        "training",
        "training-records",
        m.TrainingRecord,
        ("person", "course", "kind", "completed_on", "due_again_on", "notes"),
        ("person", "course", "kind", "completed_on", "due_again_on"),
        "Competence and AI literacy",
        api_basename="aims-training-record",
    ),
    Resource(
        "objective",
        "objectives",
        m.Objective,
        ("title", "description", "owner", "target", "due_on", "status"),
        ("title", "owner", "due_on", "status"),
        "Objectives",
        api_basename="objective",
    ),
    Resource(
        "kpi",
        "kpis",
        m.Kpi,
        ("name", "source", "metric_name", "unit", "target_value", "direction"),
        ("name", "source", "target_value", "current_value"),
        "KPIs",
        parent="objective",
        api_basename="aims-kpi",
        read_only_api=("current_value",),
    ),
    Resource(
        "incident",
        "incidents",
        m.Incident,
        (
            "title",
            "description",
            "ai_systems",
            "severity",
            "status",
            "occurred_at",
            "aware_at",
            "serious",
            "serious_case",
            "reported_to_authority_at",
            "owner",
        ),
        ("title", "severity", "status", "serious", "aware_at"),
        "Incidents",
        api_basename="incident",
    ),
    Resource(
        "communication",
        "incident-communications",
        m.IncidentCommunication,
        ("direction", "party", "at", "summary"),
        ("at", "direction", "party"),
        "Communications",
        parent="incident",
        api_basename="aims-incident-communication",
    ),
    Resource(
        "programme",
        "audit-programmes",
        m.AuditProgramme,
        ("title", "period_start", "period_end", "approach"),
        ("title", "period_start", "period_end"),
        "Audit programmes",
        api_basename="aims-audit-programme",
    ),
    Resource(
        "audit",
        "audits",
        m.Audit,
        ("programme", "title", "scope", "criteria", "period_start", "period_end", "auditors", "status", "conclusion"),
        ("title", "programme", "period_start", "period_end", "status"),
        "Internal audits",
        api_basename="aims-audit",
    ),
    Resource(
        "finding",
        "audit-findings",
        m.AuditFinding,
        ("grade", "reference", "description"),
        ("grade", "reference", "description"),
        "Findings",
        parent="audit",
        api_basename="aims-audit-finding",
    ),
    Resource(
        "nonconformity",
        "nonconformities",
        m.Nonconformity,
        (
            "title",
            "description",
            "source",
            "finding",
            "incident",
            "control_reference",
            "owner",
            "raised_on",
            "root_cause",
            "status",
        ),
        ("title", "source", "owner", "raised_on", "status"),
        "Nonconformities",
        api_basename="aims-nonconformity",
    ),
    Resource(
        "action",
        "corrective-actions",
        m.CorrectiveAction,
        ("description", "owner", "due_on", "status", "completed_on"),
        ("description", "owner", "due_on", "status"),
        "Corrective actions",
        parent="nonconformity",
        api_basename="aims-corrective-action",
    ),
    Resource(
        "review",
        "management-reviews",
        m.ManagementReview,
        ("title", "held_on", "attendees", "minutes", "decisions"),
        ("title", "held_on"),
        "Management reviews",
        api_basename="aims-management-review",
        create_via_service=True,
    ),
    Resource(
        "review-action",
        "review-actions",
        m.ReviewAction,
        ("description", "owner", "due_on", "status"),
        ("description", "owner", "due_on", "status"),
        "Review actions",
        parent="review",
        api_basename="aims-review-action",
    ),
]

BY_SLUG = {r.slug: r for r in RESOURCES}
TOP_LEVEL = [r for r in RESOURCES if r.parent is None]
CHILDREN = [r for r in RESOURCES if r.parent is not None]


def children_of(resource: Resource) -> list[Resource]:
    parent_field_model = resource.model
    return [
        c
        for c in CHILDREN
        if c.model._meta.get_field(c.parent).related_model is parent_field_model  # type: ignore[arg-type]
    ]
