"""Reads of decision rows, scoped by the user who asks."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from aims.core.choices import DecisionStatus
from aims.core.models import Decision


def decisions_for(user: Any) -> QuerySet[Decision]:
    return Decision.objects.restrict(user, "view").select_related("requested_by", "decided_by", "subject_type")


def decisions_on(subject: models.Model, user: Any) -> QuerySet[Decision]:
    return decisions_for(user).filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk)
    )


def pending_decision_on(subject: models.Model, user: Any) -> Decision | None:
    return decisions_on(subject, user).filter(status=DecisionStatus.PENDING).first()


def latest_approval_of(subject: models.Model, user: Any) -> Decision | None:
    return decisions_on(subject, user).filter(status=DecisionStatus.APPROVED).order_by("-decided_at").first()
