"""Choices of the governance app."""

from django.db import models


class Sector(models.TextChoices):
    FINANCE = "finance", "Financial services"
    HEALTH = "health", "Health and life sciences"
    PUBLIC = "public", "Public sector"
    INDUSTRY = "industry", "Manufacturing and industry"
    RETAIL = "retail", "Retail and consumer"
    TECHNOLOGY = "technology", "Technology"
    OTHER = "other", "Other"


class IssueKind(models.TextChoices):
    INTERNAL = "internal", "Internal issue"
    EXTERNAL = "external", "External issue"


class ScopeInclusion(models.TextChoices):
    IN_SCOPE = "in", "In scope"
    OUT_OF_SCOPE = "out", "Out of scope"


class DocumentKind(models.TextChoices):
    AI_POLICY = "ai_policy", "AI policy (5.2, A.2.2)"
    POLICY = "policy", "Other policy"
    PROCEDURE = "procedure", "Procedure"
    SCOPE = "scope", "Scope statement"
    RECORD = "record", "Record template"
    OTHER = "other", "Other"


class DocumentVersionStatus(models.TextChoices):
    """Derived from the version's DOCUMENT_APPROVAL decision rows, never typed in."""

    DRAFT = "draft", "Draft"
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved"


class Responsibility(models.TextChoices):
    """RACI letters of the responsibility matrix (5.3, A.3.2)."""

    RESPONSIBLE = "R", "Responsible"
    ACCOUNTABLE = "A", "Accountable"
    CONSULTED = "C", "Consulted"
    INFORMED = "I", "Informed"


class TrainingKind(models.TextChoices):
    AI_LITERACY = "ai_literacy", "AI literacy (EU AI Act Art. 4)"
    COMPETENCE = "competence", "Role competence (7.2)"
    AWARENESS = "awareness", "Awareness (7.3)"


class ObjectiveStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    ACHIEVED = "achieved", "Achieved"
    MISSED = "missed", "Missed"


class KpiSource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    EVIDENCE_METRIC = "evidence_metric", "Evidence metric"


class KpiDirection(models.TextChoices):
    AT_LEAST = "at_least", "At least the target"
    AT_MOST = "at_most", "At most the target"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class IncidentStatus(models.TextChoices):
    OPEN = "open", "Open"
    INVESTIGATING = "investigating", "Investigating"
    REPORTED = "reported", "Reported to the authority"
    CLOSED = "closed", "Closed"


class SeriousCase(models.TextChoices):
    """Which Art. 73 case applies to a serious incident: it sets the reporting deadline."""

    GENERAL = "general", "Serious incident (Art. 73(2): 15 days)"
    WIDESPREAD_OR_CRITICAL = (
        "widespread_or_critical",
        "Widespread infringement or critical infrastructure (Art. 73(3): 2 days)",
    )
    DEATH = "death", "Death of a person (Art. 73(4): 10 days)"


class CommunicationDirection(models.TextChoices):
    OUTGOING = "outgoing", "Sent"
    INCOMING = "incoming", "Received"


class ConcernStatus(models.TextChoices):
    NEW = "new", "New"
    TRIAGED = "triaged", "Triaged"
    INVESTIGATING = "investigating", "Investigating"
    ESCALATED = "escalated", "Escalated to an incident"
    CLOSED = "closed", "Closed"


class ConcernConfidentiality(models.TextChoices):
    NAMED = "named", "Named (everyone who reads concerns sees who raised it)"
    CONFIDENTIAL = "confidential", "Confidential (only governance officers see who raised it)"
    ANONYMOUS = "anonymous", "Anonymous (no identity stored)"


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    REPORTED = "reported", "Reported"


class FindingGrade(models.TextChoices):
    MAJOR = "major", "Major nonconformity"
    MINOR = "minor", "Minor nonconformity"
    OBSERVATION = "observation", "Observation"
    OPPORTUNITY = "opportunity", "Opportunity for improvement"


class NonconformitySource(models.TextChoices):
    AUDIT = "audit", "Audit finding"
    CONTROL = "control", "Failing control"
    INCIDENT = "incident", "Incident"
    OTHER = "other", "Other"


class NonconformityStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACTIONS_PLANNED = "actions_planned", "Actions planned"
    EFFECTIVENESS_REVIEW = "effectiveness_review", "Effectiveness review"
    CLOSED = "closed", "Closed"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class ReviewStatus(models.TextChoices):
    """Derived in part from the REVIEW_CLOSURE decision: approved means closed."""

    OPEN = "open", "Open"
    PENDING_CLOSURE = "pending_closure", "Awaiting closure"
    CLOSED = "closed", "Closed"


class ReminderKind(models.TextChoices):
    DOCUMENT_REVIEW = "document_review", "Document review due"
    SYSTEM_REVIEW = "system_review", "AI system review due"
    RISK_REVIEW = "risk_review", "Risk or impact assessment review due"
    ACTION_OVERDUE = "action_overdue", "Action overdue"
    TRAINING_DUE = "training_due", "Training due"
    INCIDENT_DEADLINE = "incident_deadline", "Incident reporting deadline"
    ACCESS_EXPIRING = "access_expiring", "Auditor access expiring"
