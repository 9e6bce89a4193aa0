"""Choices of the risks app. States and kinds are TextChoices, never bare strings."""

from django.db import models


class RiskLevel(models.TextChoices):
    """The level a score maps to under the risk criteria's matrix (ISO/IEC 42001 6.1.2 d)."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Acceptor(models.TextChoices):
    """Who may accept a residual risk of a level (ISO/IEC 42001 6.1.3 e, 8.3)."""

    OWNER = "owner", "Risk owner"
    COMMITTEE = "committee", "AI governance committee"


class RiskStatus(models.TextChoices):
    """Where a risk stands. An acceptance whose expiry has passed reads as open again."""

    OPEN = "open", "Open"
    TREATMENT = "treatment", "In treatment"
    ACCEPTANCE_PENDING = "acceptance_pending", "Acceptance pending"
    ACCEPTED = "accepted", "Accepted"
    CLOSED = "closed", "Closed"


class TreatmentOption(models.TextChoices):
    """Risk treatment options (ISO/IEC 42001 6.1.3, after ISO 31000)."""

    UNDECIDED = "", "Not decided yet"
    MODIFY = "modify", "Modify (reduce the likelihood or impact)"
    AVOID = "avoid", "Avoid (stop the activity)"
    SHARE = "share", "Share (insurance, contract, supplier)"
    RETAIN = "retain", "Retain (accept as it is)"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"


class AcceptanceState(models.TextChoices):
    """A recorded acceptance, read from its decision row and its expiry (never stored)."""

    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    EXPIRED = "expired", "Expired"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ImpactArea(models.TextChoices):
    """What an AI system may affect (ISO/IEC 42001 A.5.4, A.5.5; Annex C objectives)."""

    FAIRNESS = "fairness", "Fairness and non-discrimination"
    PRIVACY = "privacy", "Privacy and data protection"
    SAFETY = "safety", "Safety and health"
    RIGHTS = "rights", "Fundamental rights"
    TRANSPARENCY = "transparency", "Transparency and explainability"
    ACCESS = "access", "Access to services and economic opportunity"
    SECURITY = "security", "Security"
    ENVIRONMENT = "environment", "Environment"
    SOCIETY = "society", "Society and democratic processes"
    WELLBEING = "wellbeing", "Wellbeing and autonomy"


class ImpactScope(models.TextChoices):
    """Whom an impact reaches: A.5.4 covers individuals and groups, A.5.5 society."""

    INDIVIDUALS = "individuals", "Individuals"
    GROUPS = "groups", "Groups of individuals"
    SOCIETY = "society", "Society"


class Severity(models.TextChoices):
    NEGLIGIBLE = "negligible", "Negligible"
    MINOR = "minor", "Minor"
    MODERATE = "moderate", "Moderate"
    MAJOR = "major", "Major"
    SEVERE = "severe", "Severe"


class AssessmentStatus(models.TextChoices):
    """Where an AI system impact assessment stands (ISO/IEC 42001 6.1.4, 8.4)."""

    DRAFT = "draft", "Draft"
    SIGNOFF_PENDING = "signoff_pending", "Sign-off pending"
    SIGNED_OFF = "signed_off", "Signed off"
    REVIEW_DUE = "review_due", "Review due"
