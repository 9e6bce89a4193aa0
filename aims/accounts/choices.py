"""The roles of the portal, as named groups."""

from django.db import models


class Role(models.TextChoices):
    OFFICER = "Governance officer", "Governance officer"
    OWNER = "System owner", "System owner"
    COMMITTEE = "Committee member", "Committee member"
    AUDITOR = "Auditor", "Auditor"
    ADMINISTRATOR = "Administrator", "Administrator"
