"""Choices of the reports app."""

from django.db import models


class ReportKind(models.TextChoices):
    """What a report run renders; each value has a module in aims/reports/kinds/ (the kind registry)."""

    SOA = "soa", "Statement of Applicability"
    REGISTER = "register", "AI system register"
    RISKS = "risks", "Risk register and treatment"
    IMPACT_ASSESSMENTS = "impact-assessments", "AI system impact assessments"
    CONTROL_EFFECTIVENESS = "control-effectiveness", "Control effectiveness"
    OBJECTIVES = "objectives", "AI objectives"
    MANAGEMENT_REVIEW = "management-review", "Management review"
    INTERNAL_AUDIT = "internal-audit", "Internal audit"
    INCIDENTS = "incidents", "Incidents"
    EVIDENCE_PACK = "evidence-pack", "Evidence pack"
    DASHBOARD = "dashboard", "Dashboard"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
