"""States and kinds shared by every app."""

from django.db import models


class DecisionKind(models.TextChoices):
    """What a decision row decides. Later apps add their kinds here, so the register of decisions reads as one."""

    ORGANISATION_PROFILE = "organisation_profile", "Organisation profile approval"


class DecisionStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
