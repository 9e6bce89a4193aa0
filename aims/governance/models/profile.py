"""Governance records of the management system."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from aims.core.querysets import RestrictedQuerySet
from aims.governance.choices import Sector


class OrganisationProfile(models.Model):
    """The organisation that runs the AIMS: who it is and what it is for (ISO/IEC 42001 4.1, 4.3).

    There is one row. It is governed: every change is kept in its history with who made it and why, and an
    approval by the committee pins one history version (a Decision row).
    """

    name = models.CharField(max_length=200)
    legal_name = models.CharField(max_length=200, blank=True)
    sector = models.CharField(max_length=20, choices=Sector.choices, default=Sector.OTHER)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code of the head office, e.g. DE.")
    purpose = models.TextField(
        max_length=4000, help_text="Why the organisation runs an AI management system, in a few sentences."
    )
    aims_contact_email = models.EmailField(help_text="Where questions about the AIMS go.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = "organisation profile"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.country and not (len(self.country) == 2 and self.country.isalpha() and self.country.isupper()):
            raise ValidationError({"country": "Use a two-letter upper-case ISO 3166-1 code, e.g. DE."})

    @property
    def version(self) -> str:
        """The history id of the current state: what an approval pins."""
        latest = self.history.order_by("-history_id").values_list("history_id", flat=True).first()
        return f"history:{latest}" if latest else "history:0"
