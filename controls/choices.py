"""Choices of the controls app: kinds of requirement, crosswalk strengths, evidence levels."""

from django.db import models


class FrameworkKind(models.TextChoices):
    STANDARD = "standard", "Certifiable standard"
    REGULATION = "regulation", "Regulation"
    GUIDANCE = "guidance", "Voluntary framework"


class RequirementKind(models.TextChoices):
    """What a row of a framework is; the tree of a framework is made of these."""

    CLAUSE = "clause", "Clause"
    TOPIC = "topic", "Topic"
    OBJECTIVE = "objective", "Control objective"
    CONTROL = "control", "Control"
    TIER = "tier", "Risk tier"
    ARTICLE = "article", "Article"
    PROVISION = "provision", "Provision"
    ANNEX = "annex", "Annex"
    FUNCTION = "function", "Function"
    CATEGORY = "category", "Category"
    SUBCATEGORY = "subcategory", "Subcategory"


class RequirementStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    # Gone from a newer version of the framework's data; kept because implementations may point at it.
    WITHDRAWN = "withdrawn", "Withdrawn"


class LinkStrength(models.TextChoices):
    """How much of the other requirement the linked one satisfies (crosswalk.yaml, legend.strength)."""

    STRONG = "strong", "Strong"
    PARTIAL = "partial", "Partial"
    SUPPORTING = "supporting", "Supporting"


class EvidenceLevel(models.TextChoices):
    """How far an enforcement layer's telemetry evidences a requirement (enforcement_controls.yaml)."""

    AUTOMATIC = "automatic", "Automatic"
    PARTIAL = "partial", "Partial"
    NONE = "none", "None"


class ImplementationStatus(models.TextChoices):
    """Where a control the organisation runs stands in its own life (not whether evidence shows it operating:
    that is the control status of the SoA, computed from evidence)."""

    PLANNED = "planned", "Planned"
    IMPLEMENTING = "implementing", "Being implemented"
    IMPLEMENTED = "implemented", "Implemented"
    RETIRED = "retired", "Retired"


class ControlStatus(models.TextChoices):
    """Whether evidence shows a control operating (DESIGN.md, Control status); computed, never typed in."""

    OPERATING = "operating", "Operating"
    FAILING = "failing", "Failing"
    STALE = "stale", "Stale"
    NOT_EVIDENCED = "not_evidenced", "Not evidenced"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class CheckOutcome(models.TextChoices):
    """The outcome of one dated control check result."""

    PASS = "pass", "Pass"
    FAIL = "fail", "Fail"
