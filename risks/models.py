"""Risk criteria, the AI risk register with treatment and acceptance, and AI system impact assessments.

ISO/IEC 42001 6.1.1 to 6.1.4 plan them; 8.2 to 8.4 run them; Annex A.5 asks for the impact assessments. Every
governed model here keeps its history with who changed what and why; every write goes through
`risks/services.py`.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from aims.core.choices import DecisionStatus
from aims.core.querysets import RestrictedQuerySet
from risks import reference
from risks.choices import (
    AcceptanceState,
    Acceptor,
    ActionStatus,
    AssessmentStatus,
    ImpactArea,
    ImpactScope,
    RiskLevel,
    RiskStatus,
    Severity,
    TreatmentOption,
)

EDIT_ALL = "risks.edit_all_risks"
REQUEST_ACCEPTANCE = "risks.request_risk_acceptance"

# The default 5x5 criteria; the first version is made by a data migration from these.
DEFAULT_LIKELIHOOD = [
    {"value": 1, "label": "Rare", "description": "Not expected in the system's life; less than once in 10 years."},
    {"value": 2, "label": "Unlikely", "description": "Could happen; about once in 3 to 10 years."},
    {"value": 3, "label": "Possible", "description": "Might happen; about once in 1 to 3 years."},
    {"value": 4, "label": "Likely", "description": "Expected to happen; about once a year."},
    {"value": 5, "label": "Almost certain", "description": "Happens regularly; several times a year."},
]
DEFAULT_IMPACT = [
    {"value": 1, "label": "Negligible", "description": "No lasting effect on people or the organisation."},
    {"value": 2, "label": "Minor", "description": "Inconvenience to a few people; quickly corrected."},
    {"value": 3, "label": "Moderate", "description": "Harm to individuals that can be remedied; a complaint."},
    {"value": 4, "label": "Major", "description": "Serious harm to individuals or groups; regulatory action."},
    {"value": 5, "label": "Severe", "description": "Lasting harm to many people or to rights; a prohibited use."},
]
DEFAULT_LEVELS = [
    {"level": RiskLevel.LOW.value, "max_score": 4, "acceptor": Acceptor.OWNER.value},
    {"level": RiskLevel.MEDIUM.value, "max_score": 9, "acceptor": Acceptor.OWNER.value},
    {"level": RiskLevel.HIGH.value, "max_score": 16, "acceptor": Acceptor.COMMITTEE.value},
    {"level": RiskLevel.CRITICAL.value, "max_score": 25, "acceptor": Acceptor.COMMITTEE.value},
]


def _scope(queryset: Any, user: Any, action: str, owner_paths: tuple[str, ...]) -> Any:
    """View: every role holder sees all of it. Anything else: officers everything, owners their own."""
    if action == "view" or user.has_perm(EDIT_ALL):
        return queryset
    condition = Q()
    for path in owner_paths:
        condition |= Q(**{path: user})
    return queryset.filter(condition)


# --- criteria (6.1.2) -----------------------------------------------------------------------------------------


class RiskCriteria(models.Model):
    """The risk criteria: likelihood and impact scales, and the matrix from score to level (ISO/IEC 42001 6.1.1,
    6.1.2 b to d).

    Each level names who may accept a residual risk of that level: the risk owner or the committee. Criteria are
    versioned: a change makes a new version, and one version is in force at a time. A risk keeps the version it
    was assessed with, so a past assessment still reads with the scales it used.
    """

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    likelihood_scale = models.JSONField(help_text="[{value, label, description}], values 1..n.")
    impact_scale = models.JSONField(help_text="[{value, label, description}], values 1..n.")
    levels = models.JSONField(help_text="[{level, max_score, acceptor}] by rising score; score = likelihood x impact.")
    in_force = models.BooleanField(default=False)
    note = models.TextField(max_length=4000, blank=True, help_text="What changed and why.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-version"]
        verbose_name = "risk criteria"
        verbose_name_plural = "risk criteria"
        constraints = [
            # Two versions in force would make every new assessment ambiguous.
            models.UniqueConstraint(
                fields=["in_force"], condition=Q(in_force=True), name="risks_criteria_one_in_force"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"

    @staticmethod
    def _check_scale(scale: Any) -> str | None:
        if not isinstance(scale, list) or not 2 <= len(scale) <= 10:
            return "A scale has 2 to 10 steps."
        for index, step in enumerate(scale, start=1):
            if not isinstance(step, dict) or step.get("value") != index:
                return "Steps are numbered 1, 2, 3, ... in order."
            if not str(step.get("label", "")).strip():
                return f"Step {index} needs a label."
            if len(str(step.get("label"))) > 60 or len(str(step.get("description", ""))) > 500:
                return f"Step {index}: label up to 60, description up to 500 characters."
        return None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for name in ("likelihood_scale", "impact_scale"):
            problem = self._check_scale(getattr(self, name))
            if problem:
                errors[name] = problem
        levels = self.levels
        if not isinstance(levels, list) or not levels:
            errors["levels"] = "Name at least one level."
        elif not errors:
            previous = 0
            for band in levels:
                if not isinstance(band, dict) or band.get("level") not in RiskLevel.values:
                    errors["levels"] = f"Each level is one of {', '.join(RiskLevel.values)}."
                    break
                if band.get("acceptor") not in Acceptor.values:
                    errors["levels"] = "Each level names its acceptor: owner or committee."
                    break
                top = band.get("max_score")
                if not isinstance(top, int) or isinstance(top, bool) or top <= previous:
                    errors["levels"] = "Upper scores must be whole numbers that rise from level to level."
                    break
                previous = top
            else:
                if previous < self.max_score:
                    errors["levels"] = f"The last level must reach the highest score, {self.max_score}."
                if len({b["level"] for b in levels}) != len(levels):
                    errors["levels"] = "A level is listed twice."
        if errors:
            raise ValidationError(errors)

    @property
    def likelihood_steps(self) -> int:
        return len(self.likelihood_scale or [])

    @property
    def impact_steps(self) -> int:
        return len(self.impact_scale or [])

    @property
    def max_score(self) -> int:
        return self.likelihood_steps * self.impact_steps

    def level_for(self, likelihood: int, impact: int) -> str:
        score = likelihood * impact
        for band in self.levels:
            if score <= band["max_score"]:
                return str(band["level"])
        return str(self.levels[-1]["level"])

    def acceptor_for(self, level: str) -> str:
        for band in self.levels:
            if band["level"] == level:
                return str(band["acceptor"])
        return Acceptor.COMMITTEE.value  # an unknown level is never the owner's alone

    def label(self, scale: str, value: int | None) -> str:
        steps = self.likelihood_scale if scale == "likelihood" else self.impact_scale
        for step in steps or []:
            if step.get("value") == value:
                return str(step.get("label"))
        return str(value or "—")

    def matrix(self) -> list[dict[str, Any]]:
        """Rows from the highest likelihood down, each cell with its score and level: for display."""
        return [
            {
                "likelihood": step,
                "cells": [
                    {
                        "impact": i["value"],
                        "score": step["value"] * i["value"],
                        "level": self.level_for(step["value"], i["value"]),
                    }
                    for i in self.impact_scale
                ],
            }
            for step in reversed(self.likelihood_scale)
        ]


# --- the risk register (6.1.2, 8.2) ---------------------------------------------------------------------------


class RiskQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> Self:
        return _scope(self, user, action, ("ai_system__owner", "owner"))

    def with_effective_status(self, status: str) -> Self:
        """Filter by the status a person reads: an acceptance past its expiry is open again, even before the
        periodic task has reopened it."""
        today = timezone.localdate()
        expired = Q(status=RiskStatus.ACCEPTED, accepted_until__lt=today)
        if status == RiskStatus.OPEN:
            return self.filter(Q(status=RiskStatus.OPEN) | expired)
        if status == RiskStatus.ACCEPTED:
            return self.filter(status=RiskStatus.ACCEPTED).exclude(expired)
        return self.filter(status=status)


class Risk(models.Model):
    """One AI risk: its source, whom it affects, its inherent and residual rating, its treatment and its owner
    (ISO/IEC 42001 6.1.2 risk assessment, 6.1.3 treatment, 8.2 and 8.3; Annex C risk sources).

    A risk belongs to one AI system, or to the organisation as a whole when `ai_system` is empty. It is rated
    under the criteria version it names; scores and levels are derived by `recalculate()` whenever a rating
    changes, and stored so that lists, filters and heatmaps need no arithmetic in SQL. An acceptance holds until
    `accepted_until`; after that the risk reads as open (`effective_status`) and the periodic task reopens it.
    """

    title = models.CharField(max_length=200)
    description = models.TextField(max_length=4000, blank=True)
    ai_system = models.ForeignKey(
        "registry.AISystem",
        on_delete=models.PROTECT,
        related_name="risks",
        null=True,
        blank=True,
        help_text="Empty for a risk of the whole organisation.",
    )
    source = models.CharField(
        "risk source", max_length=10, choices=reference.risk_source_choices, help_text="ISO/IEC 42001 Annex C.3."
    )
    objectives = models.JSONField(
        default=list, blank=True, help_text='Annex C.2 objectives the risk threatens, e.g. ["C.2.5"].'
    )
    affected_parties = models.TextField(max_length=2000, help_text="Who is affected: customers, staff, society ...")
    criteria = models.ForeignKey(RiskCriteria, on_delete=models.PROTECT, related_name="risks")
    inherent_likelihood = models.PositiveSmallIntegerField()
    inherent_impact = models.PositiveSmallIntegerField()
    existing_controls = models.TextField(max_length=4000, blank=True, help_text="What already reduces the risk.")
    residual_likelihood = models.PositiveSmallIntegerField()
    residual_impact = models.PositiveSmallIntegerField()
    # Derived by recalculate(); never typed in.
    inherent_score = models.PositiveSmallIntegerField(editable=False, default=0)
    inherent_level = models.CharField(max_length=10, choices=RiskLevel.choices, editable=False, default="")
    residual_score = models.PositiveSmallIntegerField(editable=False, default=0)
    level = models.CharField("residual level", max_length=10, choices=RiskLevel.choices, editable=False, default="")
    treatment = models.CharField(
        "treatment option", max_length=10, choices=TreatmentOption.choices, blank=True, default=""
    )
    treatment_plan = models.TextField(max_length=4000, blank=True, help_text="How the treatment works, in short.")
    controls = models.ManyToManyField(
        "controls.ControlImplementation", blank=True, related_name="risks", help_text="Controls that treat the risk."
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_risks")
    review_on = models.DateField("next review")
    status = models.CharField(max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    accepted_until = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RiskQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[controls])

    class Meta:
        ordering = ["-residual_score", "id"]
        permissions = [
            ("edit_all_risks", "Can edit every risk and impact assessment, not only owned ones"),
            # Owners put the residual risks they answer for up for the committee's acceptance (6.1.3 e).
            ("request_risk_acceptance", "Can request committee acceptance of the risks they may change"),
        ]
        constraints = [
            # Treatment cannot make a risk worse than untreated; a higher residual is a rating mistake.
            models.CheckConstraint(
                condition=Q(residual_score__lte=F("inherent_score")), name="risks_residual_not_above_inherent"
            ),
            # Ratings start at 1: a zero would score every risk as nothing.
            models.CheckConstraint(
                condition=Q(
                    inherent_likelihood__gte=1,
                    inherent_impact__gte=1,
                    residual_likelihood__gte=1,
                    residual_impact__gte=1,
                ),
                name="risks_ratings_from_one",
            ),
            # An accepted risk always says until when, so expiry can reopen it.
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_until__isnull=False), name="risks_accepted_has_expiry"
            ),
        ]
        indexes = [
            # The register is filtered by system and status; owners look for their own; reviews are listed by date.
            models.Index(fields=["ai_system", "status"], name="risks_system_status_idx"),
            models.Index(fields=["owner", "status"], name="risks_owner_status_idx"),
            models.Index(fields=["review_on"], name="risks_review_idx"),
            # The periodic task looks for acceptances past their expiry.
            models.Index(fields=["status", "accepted_until"], name="risks_acceptance_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return f"R-{self.pk:04d}" if self.pk else "R-new"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        criteria = self.criteria if self.criteria_id else None
        if criteria is not None:
            for name, steps in (
                ("inherent_likelihood", criteria.likelihood_steps),
                ("residual_likelihood", criteria.likelihood_steps),
                ("inherent_impact", criteria.impact_steps),
                ("residual_impact", criteria.impact_steps),
            ):
                value = getattr(self, name)
                if value is not None and not 1 <= value <= steps:
                    errors[name] = f"Use a value from 1 to {steps} (criteria v{criteria.version})."
        if (
            not errors
            and None
            not in (
                self.inherent_likelihood,
                self.inherent_impact,
                self.residual_likelihood,
                self.residual_impact,
            )
            and self.residual_likelihood * self.residual_impact > self.inherent_likelihood * self.inherent_impact
        ):
            errors["residual_impact"] = "The residual risk cannot be higher than the inherent risk."
        objectives = self.objectives
        valid = {e.id for e in reference.annex_c().objectives}
        if not isinstance(objectives, list) or any(o not in valid for o in objectives):
            errors["objectives"] = "Use Annex C.2 objective ids, e.g. C.2.5."
        if errors:
            raise ValidationError(errors)

    def recalculate(self) -> None:
        """Derive scores and levels from the ratings under the risk's criteria (the residual recalculation)."""
        criteria = self.criteria
        self.inherent_score = self.inherent_likelihood * self.inherent_impact
        self.inherent_level = criteria.level_for(self.inherent_likelihood, self.inherent_impact)
        self.residual_score = self.residual_likelihood * self.residual_impact
        self.level = criteria.level_for(self.residual_likelihood, self.residual_impact)

    @property
    def acceptor(self) -> str:
        """Who may accept the residual risk under its criteria: the owner, or the committee."""
        return self.criteria.acceptor_for(self.level)

    def get_acceptor_display(self) -> str:
        return Acceptor(self.acceptor).label

    @property
    def acceptance_expired(self) -> bool:
        return (
            self.status == RiskStatus.ACCEPTED
            and self.accepted_until is not None
            and self.accepted_until < timezone.localdate()
        )

    @property
    def effective_status(self) -> str:
        """The status as of today: an expired acceptance reads as open before the task has run."""
        return RiskStatus.OPEN.value if self.acceptance_expired else str(self.status)

    def get_effective_status_display(self) -> str:
        return RiskStatus(self.effective_status).label

    @property
    def review_overdue(self) -> bool:
        return self.review_on < timezone.localdate() and self.status != RiskStatus.CLOSED

    def get_source_title(self) -> str:
        entry = reference.risk_source(self.source)
        return entry.label if entry else self.source

    def get_objectives_display(self) -> list[str]:
        return [reference.objective_label(o) for o in self.objectives or []]


class TreatmentActionQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> Self:
        return _scope(self, user, action, ("risk__ai_system__owner", "risk__owner"))

    def overdue(self, today: date | None = None) -> Self:
        return self.filter(status=ActionStatus.OPEN, due_on__lt=today or timezone.localdate())


class TreatmentAction(models.Model):
    """One action of a risk treatment plan, with its owner and due date (ISO/IEC 42001 6.1.3, 8.3).

    An open action past its due date is overdue; the risk's page and list flag it.
    """

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risk_actions")
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TreatmentActionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            # A done action says when; an open one does not.
            models.CheckConstraint(
                condition=Q(status="open", completed_on__isnull=True) | Q(status="done", completed_on__isnull=False),
                name="risks_action_completed_on_done",
            ),
        ]
        indexes = [
            # Overdue actions: open ones by due date.
            models.Index(fields=["status", "due_on"], name="risks_action_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.description} (due {self.due_on.isoformat()})"

    @property
    def is_overdue(self) -> bool:
        return self.status == ActionStatus.OPEN and self.due_on < timezone.localdate()


class RiskAcceptance(models.Model):
    """The acceptance of a residual risk, as rated when it was asked for (ISO/IEC 42001 6.1.3 e, 8.3).

    A residual risk within the owner's threshold is accepted by its owner: the row names who and when. Above it,
    the committee decides: the row points to a RISK_ACCEPTANCE decision row (four eyes), and reads as accepted
    only once that decision is approved. Either way it holds until `expires_on`; after that the risk reopens.
    The rating is copied here so the acceptance keeps saying what was accepted after the risk changes. Like the
    decision rows, an acceptance is a record of a decision, not a governed record: it is never edited.
    """

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="acceptances")
    decision = models.OneToOneField(
        "core.Decision", on_delete=models.PROTECT, related_name="risk_acceptance", null=True, blank=True
    )
    acceptor = models.CharField(max_length=10, choices=Acceptor.choices)
    level = models.CharField(max_length=10, choices=RiskLevel.choices)
    residual_likelihood = models.PositiveSmallIntegerField()
    residual_impact = models.PositiveSmallIntegerField()
    criteria_version = models.PositiveIntegerField()
    expires_on = models.DateField()
    rationale = models.TextField(max_length=4000, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            # A committee acceptance is a decision row; an owner's acceptance is not and names its acceptor.
            models.CheckConstraint(
                condition=Q(acceptor="committee", decision__isnull=False)
                | Q(acceptor="owner", decision__isnull=True, accepted_by__isnull=False),
                name="risks_acceptance_by_acceptor",
            ),
        ]
        indexes = [models.Index(fields=["risk", "-requested_at"], name="risks_acceptance_risk_idx")]

    def __str__(self) -> str:
        return f"Acceptance of {self.risk} until {self.expires_on.isoformat()}"

    @property
    def state(self) -> str:
        if self.decision_id is not None and self.decision.status != DecisionStatus.APPROVED:
            return str(self.decision.status)  # pending, rejected, withdrawn share their values
        return AcceptanceState.EXPIRED if self.expires_on < timezone.localdate() else AcceptanceState.ACCEPTED

    def get_state_display(self) -> str:
        return AcceptanceState(self.state).label


# --- AI system impact assessments (6.1.4, 8.4, A.5) -----------------------------------------------------------


class ImpactAssessmentQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> Self:
        return _scope(self, user, action, ("ai_system__owner",))


class ImpactAssessment(models.Model):
    """The impact assessment of one AI system: its consequences for individuals, groups and society, with
    severity and mitigations, signed off by a reviewer (ISO/IEC 42001 6.1.4, 8.4, A.5.2 to A.5.5).

    Sign-off is a four-eyes IMPACT_ASSESSMENT decision row pinned to a history version. At sign-off the system's
    purpose, tier and approved model set are recorded in `snapshot`; when any of them changes the assessment
    falls due for review (`mark_impact_assessments_due`, and `reconcile_impact_assessments` for changes made by
    any other path).
    """

    ai_system = models.OneToOneField("registry.AISystem", on_delete=models.PROTECT, related_name="impact_assessment")
    summary = models.TextField(max_length=8000, help_text="The system in its context: who uses it, on whom, how.")
    affected_stakeholders = models.TextField(max_length=4000, help_text="Individuals, groups and society reached.")
    status = models.CharField(max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    review_reason = models.TextField(max_length=4000, blank=True, editable=False)
    review_due_since = models.DateTimeField(null=True, blank=True, editable=False)
    snapshot = models.JSONField(default=dict, blank=True, editable=False)
    next_review_on = models.DateField("next review")
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True, editable=False
    )
    signed_off_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ImpactAssessmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["ai_system__name"]
        verbose_name = "AI system impact assessment"
        indexes = [
            # "Which assessments are due for review" is the question the dashboard and the system page ask.
            models.Index(fields=["status"], name="risks_ia_status_idx"),
        ]

    def __str__(self) -> str:
        return f"Impact assessment of {self.ai_system}"

    @property
    def review_due(self) -> bool:
        return self.status == AssessmentStatus.REVIEW_DUE or self.next_review_on < timezone.localdate()


class ImpactQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> Self:
        return _scope(self, user, action, ("assessment__ai_system__owner",))


class Impact(models.Model):
    """One potential impact of an AI system: the area, whom it reaches, how severe, and how it is mitigated
    (ISO/IEC 42001 A.5.4 individuals and groups, A.5.5 society)."""

    assessment = models.ForeignKey(ImpactAssessment, on_delete=models.CASCADE, related_name="impacts")
    area = models.CharField(max_length=20, choices=ImpactArea.choices)
    scope = models.CharField(max_length=20, choices=ImpactScope.choices)
    affected = models.CharField(max_length=200, help_text="Who exactly, e.g. loan applicants over 60.")
    description = models.TextField(max_length=4000)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    mitigations = models.TextField(max_length=4000, blank=True)

    objects = ImpactQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "scope", "area", "id"]
        indexes = [models.Index(fields=["assessment", "severity"], name="risks_impact_severity_idx")]

    def __str__(self) -> str:
        return f"{self.get_area_display()} ({self.get_scope_display()}): {self.get_severity_display()}"
