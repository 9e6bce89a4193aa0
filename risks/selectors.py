"""Reads of the risks app, scoped by the user who asks, and the heatmaps and history built from them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from aims.core.choices import DecisionKind
from aims.core.history import history_rows
from aims.core.models import Decision
from registry.models import AISystem
from risks.choices import ActionStatus, AssessmentStatus, RiskStatus
from risks.heatmap import heatmap_svg
from risks.models import Impact, ImpactAssessment, Risk, RiskAcceptance, RiskCriteria, TreatmentAction


def risks_for(user: Any, action: str = "view") -> QuerySet[Risk]:
    today = timezone.localdate()
    return (
        Risk.objects.restrict(user, action)
        .select_related("ai_system", "owner", "criteria")
        .annotate(
            overdue_action_count=Count(
                "actions", filter=Q(actions__status=ActionStatus.OPEN, actions__due_on__lt=today), distinct=True
            )
        )
        .order_by("-residual_score", "id")  # Meta.ordering does not apply to a grouped query
    )


def criteria_for(user: Any) -> QuerySet[RiskCriteria]:
    return RiskCriteria.objects.restrict(user, "view").select_related("created_by")


def criteria_in_force() -> RiskCriteria | None:
    return RiskCriteria.objects.filter(in_force=True).first()


def actions_of(risk: Risk) -> QuerySet[TreatmentAction]:
    return risk.actions.select_related("owner")


def acceptances_of(risk: Risk, user: Any) -> QuerySet[RiskAcceptance]:
    return (
        RiskAcceptance.objects.restrict(user, "view")
        .filter(risk=risk)
        .select_related("decision", "decision__requested_by", "requested_by", "accepted_by")
    )


def impact_assessments_for(user: Any, action: str = "view") -> QuerySet[ImpactAssessment]:
    return (
        ImpactAssessment.objects.restrict(user, action)
        .select_related("ai_system", "ai_system__owner", "prepared_by", "signed_off_by")
        .annotate(impact_count=Count("impacts", distinct=True))
        .order_by("ai_system__name")
    )


def impacts_of(assessment: ImpactAssessment, user: Any) -> QuerySet[Impact]:
    return Impact.objects.restrict(user, "view").filter(assessment=assessment)


@dataclass(frozen=True)
class SystemImpactStatus:
    """What an AI system's page says about its impact assessment."""

    assessment: ImpactAssessment | None
    due: bool
    reason: str

    @property
    def missing(self) -> bool:
        return self.assessment is None


def impact_status_of_system(system: AISystem, user: Any) -> SystemImpactStatus | None:
    """For the AI system page: the system's impact assessment and whether it is due for review, and why.

    None when the user may not read impact assessments.
    """
    if not user.has_perm("risks.view_impactassessment"):
        return None
    assessment = ImpactAssessment.objects.filter(ai_system=system).first()
    if assessment is None:
        return SystemImpactStatus(None, True, "No impact assessment yet (ISO/IEC 42001 6.1.4, A.5.2).")
    if assessment.status == AssessmentStatus.REVIEW_DUE:
        return SystemImpactStatus(assessment, True, assessment.review_reason)
    if assessment.next_review_on < timezone.localdate():
        return SystemImpactStatus(assessment, True, "The periodic review date has passed.")
    return SystemImpactStatus(assessment, False, "")


def assessments_due(user: Any) -> QuerySet[ImpactAssessment]:
    return impact_assessments_for(user).filter(
        Q(status=AssessmentStatus.REVIEW_DUE) | Q(next_review_on__lt=timezone.localdate())
    )


def can_change(user: Any, obj: models.Model) -> bool:
    return type(obj).objects.restrict(user, "change").filter(pk=obj.pk).exists()  # type: ignore[attr-defined]


def decisions_on(obj: models.Model, kind: DecisionKind, user: Any) -> QuerySet[Decision]:
    return (
        Decision.objects.restrict(user, "view")
        .filter(kind=kind, subject_type=ContentType.objects.get_for_model(obj), subject_id=str(obj.pk))
        .select_related("requested_by", "decided_by")
    )


def history_of(obj: models.Model) -> list[dict[str, Any]]:
    return history_rows(obj)


# --- heatmaps -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heatmap:
    kind: str
    title: str
    svg: str
    rows: list[dict[str, Any]]  # the text alternative: one row per likelihood, highest first
    impact_labels: list[str]
    total: int


def heatmap(
    risks: QuerySet[Risk], *, kind: str, criteria: RiskCriteria, query: dict[str, str] | None = None
) -> Heatmap:
    """The inherent or residual heatmap of these risks, under the labels and levels of `criteria`.

    `query` is the list's current filter, which each cell's link keeps and narrows to the cell.
    """
    prefix = "inherent" if kind == "inherent" else "residual"
    pairs = risks.order_by().values_list(f"{prefix}_likelihood", f"{prefix}_impact")
    counts = Counter((int(likelihood), int(impact)) for likelihood, impact in pairs)
    base = {k: v for k, v in (query or {}).items() if k not in {"page", f"{prefix}_likelihood", f"{prefix}_impact"}}
    list_url = reverse("risks:index")

    def link(likelihood: int, impact: int) -> str:
        params = {**base, f"{prefix}_likelihood": likelihood, f"{prefix}_impact": impact}
        return f"{list_url}?{urlencode(params)}"

    l_labels = [str(s["label"]) for s in criteria.likelihood_scale]
    i_labels = [str(s["label"]) for s in criteria.impact_scale]
    title = f"{prefix.capitalize()} risk"
    svg = heatmap_svg(
        counts,
        title=title,
        link_for_cell=link,
        likelihood_labels=l_labels,
        impact_labels=i_labels,
        level_for=criteria.level_for,
        id_prefix=f"heatmap-{prefix}",
    )
    rows = [
        {
            "likelihood": likelihood,
            "label": l_labels[likelihood - 1],
            "cells": [
                {"impact": impact, "count": counts.get((likelihood, impact), 0), "url": link(likelihood, impact)}
                for impact in range(1, len(i_labels) + 1)
            ],
        }
        for likelihood in range(len(l_labels), 0, -1)
    ]
    return Heatmap(prefix, title, svg, rows, i_labels, sum(counts.values()))


def summary(user: Any) -> dict[str, Any]:
    """Counts for the risks page and the dashboard."""
    risks = Risk.objects.restrict(user, "view")
    today = timezone.localdate()
    return {
        "open": risks.with_effective_status(RiskStatus.OPEN).count(),
        "pending": risks.filter(status=RiskStatus.ACCEPTANCE_PENDING).count(),
        "expired_acceptances": risks.filter(status=RiskStatus.ACCEPTED, accepted_until__lt=today).count(),
        "overdue_actions": TreatmentAction.objects.restrict(user, "view").overdue(today).count(),
        "assessments_due": assessments_due(user).count(),
    }
