"""The AI system register: AI systems and their use cases, the model catalog, suppliers and their assessments.

Every model here is governed (DESIGN.md, History): its changes are kept with who made them and why, and every
write goes through `registry/services.py`.
"""

from __future__ import annotations

from typing import Any, Self

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import CharField, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from simple_history.models import HistoricalRecords

from aims.core.choices import DecisionKind, DecisionStatus
from aims.core.models import Decision
from aims.core.querysets import RestrictedQuerySet
from registry.choices import (
    PERSONAL_CATEGORIES,
    SPECIAL_CATEGORIES,
    AIRole,
    AssessmentOutcome,
    DataCategory,
    Deployment,
    FailMode,
    HumanOversight,
    LifecycleStage,
    ModelApprovalStatus,
    PiiEntity,
    PiiOperator,
    RiskTier,
    SupplierKind,
    SystemStatus,
)

EDIT_ALL = "registry.edit_all_aisystems"

slug_key = RegexValidator(
    r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$",
    "Use lower-case letters, digits and single hyphens or underscores, e.g. credit-scoring.",
)


def _scope_by_owner(queryset: Any, user: Any, action: str, owner_path: str) -> Any:
    """View: every role holder sees the whole register. Anything else: officers everything, owners their own."""
    if action == "view" or user.has_perm(EDIT_ALL):
        return queryset
    return queryset.filter(**{owner_path: user})


class SupplierQuerySet(RestrictedQuerySet):
    pass


class Supplier(models.Model):
    """A third party that supplies AI models, data, tooling or services (ISO/IEC 42001 A.10.2, A.10.3).

    Suppliers are assessed before and during use; the latest assessment's next-due date drives the review.
    """

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=SupplierKind.choices)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code, e.g. US.")
    contact_email = models.EmailField(blank=True)
    services = models.TextField(max_length=4000, blank=True, help_text="What the supplier provides to us.")
    critical = models.BooleanField(default=False, help_text="An outage or breach would stop a business process.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = SupplierQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.country and not (len(self.country) == 2 and self.country.isalpha() and self.country.isupper()):
            raise ValidationError({"country": "Use a two-letter upper-case ISO 3166-1 code, e.g. US."})

    @property
    def latest_assessment(self) -> SupplierAssessment | None:
        return self.assessments.order_by("-assessed_on", "-id").first()


class SupplierAssessment(models.Model):
    """One assessment of a supplier: when, by whom, with what outcome, and when the next is due (A.10.3)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField()
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=20, choices=AssessmentOutcome.choices)
    notes = models.TextField(max_length=4000, blank=True)
    next_due = models.DateField()

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-assessed_on", "-id"]
        constraints = [
            # A reassessment before the assessment itself would make every overdue check meaningless.
            models.CheckConstraint(condition=Q(next_due__gt=F("assessed_on")), name="assessment_next_due_after"),
        ]
        indexes = [
            # Overdue reassessments are listed by due date.
            models.Index(fields=["next_due"], name="assessment_next_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.supplier} assessed {self.assessed_on.isoformat()}: {self.get_outcome_display()}"

    def clean(self) -> None:
        if self.assessed_on and self.next_due and self.next_due <= self.assessed_on:
            raise ValidationError({"next_due": "The next assessment must be due after this one."})


class AISystemQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> Self:
        return _scope_by_owner(self, user, action, "owner")


class AISystem(models.Model):
    """An AI system the organisation develops, provides or uses (ISO/IEC 42001 6.1, A.4, A.6, A.9).

    It records the purpose, the owner who answers for it, its life-cycle stage (A.6.2), the organisation's role
    under the EU AI Act, how people oversee it, and the resources it relies on (A.4.2 to A.4.6). Its risk tier
    is never typed in: it is derived from the classification questionnaire's answers, which are stored with it
    (`registry/classification.py`), so each reclassification shows in the history with its reason.
    """

    name = models.CharField(max_length=200, unique=True)
    purpose = models.TextField(max_length=4000, help_text="The intended purpose, as the EU AI Act uses the term.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_ai_systems",
        help_text="The person accountable for the system (A.3.2).",
    )
    business_unit = models.CharField(max_length=120)
    lifecycle_stage = models.CharField(max_length=20, choices=LifecycleStage.choices, default=LifecycleStage.INCEPTION)
    ai_role = models.CharField(
        "AI role", max_length=30, choices=AIRole.choices, help_text="The organisation's role under the EU AI Act."
    )
    deployment = models.CharField(max_length=20, choices=Deployment.choices)
    status = models.CharField(max_length=20, choices=SystemStatus.choices, default=SystemStatus.PROPOSED)
    next_review_on = models.DateField("next review", help_text="When the owner reviews this entry next.")
    human_oversight = models.CharField(max_length=20, choices=HumanOversight.choices)
    oversight_notes = models.TextField(max_length=4000, blank=True, help_text="Who oversees it and how (A.9.2).")
    data_resources = models.TextField(max_length=4000, blank=True, help_text="Data sets and sources (A.4.3).")
    tooling_resources = models.TextField(max_length=4000, blank=True, help_text="Tools and libraries (A.4.4).")
    compute_resources = models.TextField(max_length=4000, blank=True, help_text="System and computing (A.4.5).")
    human_resources = models.TextField(max_length=4000, blank=True, help_text="People and competences (A.4.6).")
    suppliers = models.ManyToManyField(Supplier, blank=True, related_name="ai_systems")
    # --- EU AI Act classification: written only by services.classify_ai_system ---------------------------
    risk_tier = models.CharField(max_length=20, choices=RiskTier.choices, default=RiskTier.UNCLASSIFIED)
    classification_answers = models.JSONField(default=dict, blank=True)
    classification_routes = models.JSONField(default=list, blank=True)
    classification_rationale = models.TextField(blank=True)
    transparency_duties = models.JSONField(default=list, blank=True)
    gpai_model = models.BooleanField("general-purpose AI model", default=False)
    gpai_systemic_risk = models.BooleanField("GPAI model with systemic risk", default=False)
    classified_at = models.DateTimeField(null=True, blank=True)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = AISystemQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[suppliers])

    class Meta:
        ordering = ["name"]
        verbose_name = "AI system"
        permissions = [("edit_all_aisystems", "Can edit every AI system and use case, not only owned ones")]
        indexes = [
            # The register is filtered by tier and status, and owners look for their own systems.
            models.Index(fields=["risk_tier", "status"], name="aisystem_tier_status_idx"),
            models.Index(fields=["owner"], name="aisystem_owner_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class UseCaseQuerySet(RestrictedQuerySet):
    def scope(self, user: Any, action: str) -> Self:
        return _scope_by_owner(self, user, action, "ai_system__owner")


class UseCase(models.Model):
    """One use of an AI system, and the unit the enforcement layer applies policy to (A.9.3, A.7).

    Its `key` is what gateways send with each request; it is stable and never reused. The use case says what
    data it processes, whether redaction is required, which PII entity types get which operator, and what a
    gateway does when the policy cannot be applied (fail mode). The policy bundle is compiled from these.
    """

    ai_system = models.ForeignKey(AISystem, on_delete=models.PROTECT, related_name="use_cases")
    key = models.CharField(
        max_length=64,
        unique=True,
        validators=[slug_key],
        help_text="Stable id gateways send with each request, e.g. credit-scoring. Never reuse a key.",
    )
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=4000, blank=True)
    data_categories = models.JSONField(default=list, blank=True)
    redaction_required = models.BooleanField(default=True)
    pii_policy = models.JSONField(
        "PII policy", default=dict, blank=True, help_text="Entity type → operator (mask, replace, hash or block)."
    )
    fail_mode = models.CharField(max_length=10, choices=FailMode.choices, default=FailMode.CLOSED)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UseCaseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["key"]
        verbose_name = "use case"
        indexes = [models.Index(fields=["ai_system", "key"], name="usecase_system_key_idx")]

    def __str__(self) -> str:
        return f"{self.key} ({self.name})"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        categories = self.data_categories
        if not isinstance(categories, list) or any(c not in DataCategory.values for c in categories):
            errors["data_categories"] = f"Use some of: {', '.join(DataCategory.values)}."
        elif len(set(categories)) != len(categories):
            errors["data_categories"] = "A category is listed twice."
        policy = self.pii_policy
        if not isinstance(policy, dict):
            errors["pii_policy"] = "Expected entity type → operator."
        else:
            bad = [k for k in policy if k not in PiiEntity.values]
            bad_ops = [f"{k}: {v}" for k, v in policy.items() if v not in PiiOperator.values]
            if bad:
                errors["pii_policy"] = f"Unknown entity types: {', '.join(map(str, bad))}."
            elif bad_ops:
                errors["pii_policy"] = (
                    f"Unknown operators ({', '.join(map(str, bad_ops))}); use mask, replace, hash or block."
                )
            elif self.redaction_required and not policy:
                errors["pii_policy"] = "Redaction is required: name at least one entity type and its operator."
        if errors:
            raise ValidationError(errors)

    @property
    def processes_personal_data(self) -> bool:
        return bool(PERSONAL_CATEGORIES & set(self.data_categories or []))

    @property
    def processes_special_categories(self) -> bool:
        return bool(SPECIAL_CATEGORIES & set(self.data_categories or []))

    def get_data_categories_display(self) -> list[str]:
        labels = dict(DataCategory.choices)
        return [labels.get(c, c) for c in self.data_categories or []]


def approval_pin(spec_revision: int) -> str:
    """The version a model approval decides: the revision of the model's approval-relevant fields."""
    return f"spec:{spec_revision}"


class CatalogModelQuerySet(RestrictedQuerySet):
    def with_approval(self) -> Self:
        """Annotate each model with its latest (non-withdrawn) approval decision: the only source of its status.

        The status is computed, never stored, so an approval made through the generic decisions endpoint and one
        made here cannot disagree.
        """
        if "latest_decision_status" in self.query.annotations:
            return self
        decisions = Decision.objects.filter(
            kind=DecisionKind.MODEL_APPROVAL,
            subject_type=ContentType.objects.get_for_model(CatalogModel),
            subject_id=Cast(OuterRef("pk"), CharField()),
        ).exclude(status=DecisionStatus.WITHDRAWN)
        latest = decisions.order_by("-requested_at", "-id")
        approved = decisions.filter(status=DecisionStatus.APPROVED, subject_version=OuterRef("current_pin")).order_by(
            "-decided_at", "-id"
        )
        return self.annotate(
            current_pin=Concat(Value("spec:"), Cast("spec_revision", CharField()), output_field=CharField()),
            latest_decision_id=Subquery(latest.values("id")[:1]),
            latest_decision_status=Subquery(latest.values("status")[:1]),
            latest_decision_version=Subquery(latest.values("subject_version")[:1]),
            approved_decision_id=Subquery(approved.values("id")[:1]),
            approved_at=Subquery(approved.values("decided_at")[:1]),
            approved_by_id=Subquery(approved.values("decided_by")[:1]),
        )

    def approved(self) -> Self:
        return self.with_approval().filter(
            latest_decision_status=DecisionStatus.APPROVED, latest_decision_version=F("current_pin")
        )

    def with_status(self, status: str) -> Self:
        qs = self.with_approval()
        pin = F("current_pin")
        if status == ModelApprovalStatus.APPROVED:
            return qs.filter(latest_decision_status=DecisionStatus.APPROVED, latest_decision_version=pin)
        if status == ModelApprovalStatus.CHANGED:
            return qs.filter(latest_decision_status=DecisionStatus.APPROVED).exclude(latest_decision_version=pin)
        if status == ModelApprovalStatus.NOT_REQUESTED:
            return qs.filter(latest_decision_status__isnull=True)
        return qs.filter(latest_decision_status=status)


class CatalogModel(models.Model):
    """A model that AI systems may call, as gateways name it (ISO/IEC 42001 A.4.4, A.6.2.5, A.10.3).

    Only approved models reach a use case's allow-list. Approval is a four-eyes decision row (MODEL_APPROVAL)
    pinned to `spec_revision`, which the services raise whenever what was approved changes (provider, gateway
    name, version or hosting region); the approval status is read from the decision rows, never stored.
    """

    provider = models.CharField(max_length=80, help_text="Who serves the model, e.g. OpenAI, Azure OpenAI, Mistral.")
    gateway_name = models.CharField(
        max_length=120, help_text="The model name gateways send, e.g. gpt-4o-mini. Unique per provider."
    )
    display_name = models.CharField(max_length=200, blank=True)
    version = models.CharField(max_length=60, blank=True, help_text="The model version or snapshot date.")
    hosting_region = models.CharField(max_length=60, help_text="Where it runs, e.g. EU (Frankfurt), US.")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="models", null=True, blank=True)
    description = models.TextField(max_length=4000, blank=True)
    use_cases = models.ManyToManyField(
        UseCase, blank=True, related_name="allowed_models", help_text="The use cases that may call this model."
    )
    spec_revision = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CatalogModelQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[use_cases])

    class Meta:
        ordering = ["provider", "gateway_name"]
        verbose_name = "catalog model"
        constraints = [
            # Gateways identify a model by this pair: two rows for it would make the allow-list ambiguous.
            models.UniqueConstraint(fields=["provider", "gateway_name"], name="catalogmodel_provider_gateway_name"),
        ]

    def __str__(self) -> str:
        version = f" {self.version}" if self.version else ""
        return f"{self.provider} {self.gateway_name}{version} ({self.hosting_region})"

    @property
    def pin(self) -> str:
        return approval_pin(self.spec_revision)

    @property
    def approval_status(self) -> str:
        """Requires `with_approval()`; falls back to a query when the annotation is missing."""
        if not hasattr(self, "latest_decision_status"):
            annotated = CatalogModel.objects.with_approval().get(pk=self.pk)
            self.__dict__.update({k: getattr(annotated, k) for k in _APPROVAL_ANNOTATIONS})
        status = self.latest_decision_status
        if status is None:
            return ModelApprovalStatus.NOT_REQUESTED
        if status == DecisionStatus.APPROVED:
            return (
                ModelApprovalStatus.APPROVED
                if self.latest_decision_version == self.pin
                else ModelApprovalStatus.CHANGED
            )
        return status

    def get_approval_status_display(self) -> str:
        return ModelApprovalStatus(self.approval_status).label

    @property
    def is_approved(self) -> bool:
        return self.approval_status == ModelApprovalStatus.APPROVED


_APPROVAL_ANNOTATIONS = (
    "current_pin",
    "latest_decision_id",
    "latest_decision_status",
    "latest_decision_version",
    "approved_decision_id",
    "approved_at",
    "approved_by_id",
)
