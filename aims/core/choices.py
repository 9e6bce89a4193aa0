"""States and kinds shared by every app."""

from django.db import models


class DecisionKind(models.TextChoices):
    """What a decision row decides. Later apps add their kinds here, so the register of decisions reads as one."""

    ORGANISATION_PROFILE = "organisation_profile", "Organisation profile approval"
    MODEL_APPROVAL = "model_approval", "Model approval"
    SOA_VERSION = "soa_version", "Statement of Applicability version"
    POLICY_BUNDLE = "policy_bundle", "Policy bundle publication"
    RISK_ACCEPTANCE = "risk_acceptance", "Risk acceptance"
    IMPACT_ASSESSMENT = "impact_assessment", "Impact assessment sign-off"
    DOCUMENT_APPROVAL = "document_approval", "Document approval"
    REVIEW_CLOSURE = "review_closure", "Management review closure"


class DecisionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
