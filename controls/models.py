"""The control catalog: frameworks, their requirements, the crosswalk between them, and enforcement metrics.

Framework data is governed (DESIGN.md, History): it is written only by the loader in services.py, which sets
the history user (none: the data file is the author) and a reason naming the data version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from aims.core.querysets import RestrictedQuerySet
from controls.choices import (
    EvidenceLevel,
    FrameworkKind,
    ImplementationStatus,
    LinkStrength,
    RequirementKind,
    RequirementStatus,
)


class Framework(models.Model):
    """A body of requirements the AIMS is measured against: ISO/IEC 42001 itself, the EU AI Act, NIST AI RMF,
    ISO/IEC 27001's clause structure.

    ISO/IEC 42001 6.1.3 compares the chosen controls with Annex A; 4.1 and 4.2 bring in the legal and other
    requirements (the EU AI Act) that the organisation must meet. `version` is the version of the data the
    rows were loaded from, so an auditor can tell which edition of the catalog a SoA was built on.
    """

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60)
    kind = models.CharField(max_length=20, choices=FrameworkKind.choices)
    description = models.TextField(blank=True, max_length=4000)
    source = models.TextField(blank=True, max_length=2000, help_text="Where the data comes from.")
    structure_only = models.BooleanField(
        default=False, help_text="Only the clause headings are held, no requirement text (ISO/IEC 27001 here)."
    )
    version = models.CharField(max_length=80, help_text="Version of the data the rows were last loaded from.")
    position = models.PositiveSmallIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.short_name


class Requirement(models.Model):
    """One clause, control objective, control, article, tier or subcategory of a framework.

    The rows hold paraphrases only, never normative ISO text (DESIGN.md, Reference data). Annex A controls
    are what ISO/IEC 42001 6.1.3 compares the organisation's controls with; the SoA will point at them. A row
    that a newer data version no longer has is marked withdrawn rather than deleted, because control
    implementations and SoA versions may point at it. `evidence_*` and `metrics` say what an enforcement layer
    can show about it (enforcement_controls.yaml), for the automated control checks of a later issue.
    """

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="requirements")
    ref = models.CharField(max_length=60, help_text="The framework's own id, e.g. A.6.2.8, Art. 12, GOVERN 1.1.")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    kind = models.CharField(max_length=20, choices=RequirementKind.choices)
    title = models.CharField(max_length=300)
    text = models.TextField(blank=True, max_length=4000, help_text="Paraphrase of what is asked.")
    guidance = models.TextField(blank=True, max_length=4000)
    position = models.PositiveIntegerField(default=0, help_text="Order within the framework, as in the data.")
    depth = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=20, choices=RequirementStatus.choices, default=RequirementStatus.ACTIVE)
    withdrawn_in_version = models.CharField(max_length=80, blank=True)
    evidence_level = models.CharField(max_length=20, choices=EvidenceLevel.choices, blank=True)
    evidence_summary = models.TextField(blank=True, max_length=2000, help_text="What the gateway's records show.")
    evidence_still_needed = models.TextField(blank=True, max_length=2000)
    evidence_requires = models.CharField(
        max_length=200, blank=True, help_text="Optional gateway capabilities the evidence depends on."
    )
    metrics = models.ManyToManyField("EnforcementMetric", through="RequirementMetric", related_name="requirements")

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["framework__position", "position"]
        constraints = [
            # The loader upserts by (framework, ref): a second row with the same ref would be a duplicate.
            models.UniqueConstraint(fields=["framework", "ref"], name="controls_requirement_unique_ref"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="controls_requirement_not_own_parent"),
        ]
        indexes = [
            # The catalog browser and the API filter by framework and kind (e.g. all Annex A controls).
            models.Index(fields=["framework", "kind"], name="controls_req_fw_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.framework.short_name} {self.ref} {self.title}"

    @property
    def is_withdrawn(self) -> bool:
        return self.status == RequirementStatus.WITHDRAWN


class CrosswalkLink(models.Model):
    """A link saying that one requirement helps satisfy a requirement of another framework.

    Lets one control implementation (ISO/IEC 42001 6.1.3, 8.1) count towards the EU AI Act, NIST AI RMF and
    ISO/IEC 27001 as well. Each link keeps its `source` (who published the pair, or "inferred" when it was
    made for the reference data) and a `strength`; inferred links are shown as such. `reference` is the exact
    point of the target the source names (e.g. "17(1)(a)"), which may be finer than the target row.
    """

    from_requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="links_out")
    to_requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="links_in")
    strength = models.CharField(max_length=20, choices=LinkStrength.choices)
    source = models.CharField(max_length=40, help_text="Basis of the link, e.g. MS-AIRC, AGH, HS, inferred.")
    inferred = models.BooleanField(default=False, help_text="Made for the reference data, not published.")
    reference = models.CharField(max_length=120, blank=True, help_text="The point of the target named.")
    note = models.TextField(blank=True, max_length=2000)
    withdrawn = models.BooleanField(default=False, help_text="Gone from a newer version of the crosswalk data.")

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["from_requirement__framework__position", "from_requirement__position", "to_requirement__position"]
        constraints = [
            # The loader upserts by this key; the same pair may be named twice at different points.
            models.UniqueConstraint(
                fields=["from_requirement", "to_requirement", "reference"], name="controls_link_unique"
            ),
            models.CheckConstraint(
                condition=~Q(from_requirement=F("to_requirement")), name="controls_link_not_to_itself"
            ),
        ]
        indexes = [
            # "What helps satisfy this requirement" reads the links by their target.
            models.Index(fields=["to_requirement", "strength"], name="controls_link_to_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.from_requirement.ref} -> {self.to_requirement.ref} ({self.strength})"


class EnforcementMetric(models.Model):
    """A metric an enforcement layer's decision records can compute (enforcement_controls.yaml, metrics).

    It evidences that a control operates (ISO/IEC 42001 9.1); the automated control checks of the evidence
    app compute it over rollups and read which requirements it evidences from `requirements`.
    """

    code = models.CharField(max_length=40, unique=True, help_text="e.g. M-RED-COV")
    name = models.CharField(max_length=200)
    formula = models.TextField(blank=True, max_length=2000)
    window = models.CharField(max_length=120, blank=True)
    target = models.CharField(max_length=300, blank=True)
    requires = models.CharField(max_length=200, blank=True, help_text="Optional gateway capability it needs.")
    withdrawn = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RequirementMetric(models.Model):
    """That a metric can evidence a requirement (ISO/IEC 42001 9.1: what is monitored, for which control)."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="metric_links")
    metric = models.ForeignKey(EnforcementMetric, on_delete=models.PROTECT, related_name="requirement_links")

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["requirement", "metric__position"]
        constraints = [
            models.UniqueConstraint(fields=["requirement", "metric"], name="controls_requirement_metric_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.metric.code} evidences {self.requirement.ref}"


class ControlImplementation(models.Model):
    """A control the organisation actually runs: who owns it, how it is done, which requirements it satisfies.

    ISO/IEC 42001 6.1.3 asks for the controls needed to treat AI risks, compared with Annex A; 8.1 asks that they
    are implemented and controlled. A control may satisfy Annex A controls and, through them or directly,
    requirements of other frameworks; one that satisfies no Annex A control is the organisation's own control
    beyond Annex A. Governed: every change is kept in its history with who made it and why.
    """

    code = models.CharField(
        max_length=40, unique=True, help_text="The organisation's own identifier for the control, e.g. CTL-LOG-01."
    )
    name = models.CharField(max_length=200)
    description = models.TextField(max_length=8000, help_text="How the control is done: the activity, tool or rule.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_controls", help_text="Accountable."
    )
    status = models.CharField(
        max_length=20, choices=ImplementationStatus.choices, default=ImplementationStatus.PLANNED
    )
    requirements = models.ManyToManyField(
        Requirement, through="ImplementationRequirement", related_name="implementations", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        indexes = [
            # "Controls owned by me" and the owner filter of the list.
            models.Index(fields=["owner", "status"], name="controls_impl_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_custom(self) -> bool:
        """The organisation's own control: it satisfies no Annex A control."""
        return not self.requirements.filter(framework__slug="iso42001", kind=RequirementKind.CONTROL).exists()


class ImplementationRequirement(models.Model):
    """That a control implementation satisfies a requirement (ISO/IEC 42001 6.1.3: controls against Annex A)."""

    implementation = models.ForeignKey(
        ControlImplementation, on_delete=models.CASCADE, related_name="requirement_links"
    )
    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="implementation_links")

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["implementation", "requirement__framework__position", "requirement__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["implementation", "requirement"], name="controls_implementation_requirement_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.implementation.code} satisfies {self.requirement.ref}"
