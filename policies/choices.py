"""Choices of the policies app."""

from django.db import models


class PublicationStatus(models.TextChoices):
    """Where a bundle revision stands, read from its POLICY_BUNDLE decision rows (never stored)."""

    PENDING = "pending", "Awaiting approval"
    PUBLISHED = "approved", "Published"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"
