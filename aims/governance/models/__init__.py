"""Models of the governance app, one module per concern."""

from aims.governance.models.audits import Audit, AuditFinding, AuditProgramme, CorrectiveAction, Nonconformity
from aims.governance.models.context import AimsScope, ContextIssue, InterestedParty
from aims.governance.models.documents import Document, DocumentVersion
from aims.governance.models.incidents import Concern, ConcernChannel, Incident, IncidentCommunication
from aims.governance.models.objectives import Kpi, KpiMeasurement, Objective
from aims.governance.models.people import ResponsibilityAssignment, TrainingRecord
from aims.governance.models.profile import OrganisationProfile
from aims.governance.models.reviews import ManagementReview, Reminder, ReviewAction

__all__ = [
    "AimsScope",
    "Audit",
    "AuditFinding",
    "AuditProgramme",
    "Concern",
    "ConcernChannel",
    "ContextIssue",
    "CorrectiveAction",
    "Document",
    "DocumentVersion",
    "Incident",
    "IncidentCommunication",
    "InterestedParty",
    "Kpi",
    "KpiMeasurement",
    "ManagementReview",
    "Nonconformity",
    "Objective",
    "OrganisationProfile",
    "Reminder",
    "ResponsibilityAssignment",
    "ReviewAction",
    "TrainingRecord",
]
