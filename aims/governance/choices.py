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
