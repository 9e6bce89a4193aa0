"""The control catalog: frameworks, their requirements, the crosswalk between them, and enforcement metrics.

Framework data is governed (DESIGN.md, History): it is written only by the loader in services.py, which sets
the history user (none: the data file is the author) and a reason naming the data version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from aims.core.models import Decision
from aims.core.querysets import RestrictedQuerySet
from controls.choices import (
    CheckOutcome,
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
    # What the control covers (ISO/IEC 42001 4.3 scope, 8.1): the AI systems and use cases of the register.
    ai_systems = models.ManyToManyField("registry.AISystem", blank=True, related_name="control_implementations")
    use_cases = models.ManyToManyField("registry.UseCase", blank=True, related_name="control_implementations")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[ai_systems, use_cases])

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


class SoAEntry(models.Model):
    """One row of the draft Statement of Applicability (ISO/IEC 42001 6.1.3 d): an Annex A control, or a control
    the organisation added beyond Annex A, with whether it applies and why.

    The rows are the draft that officers edit; an approved SoA is a frozen `SoAVersion`. Governed: the draft's own
    history (who changed which row, when and why) is kept, and shown apart from the approved versions.
    Exactly one of `requirement` (an Annex A control) and `added_control` (the organisation's own) is set.
    """

    requirement = models.OneToOneField(
        Requirement, on_delete=models.PROTECT, null=True, blank=True, related_name="soa_entry"
    )
    added_control = models.OneToOneField(
        ControlImplementation, on_delete=models.PROTECT, null=True, blank=True, related_name="soa_entry"
    )
    applies = models.BooleanField(default=True)
    # Blank only on a row the catalog just added: editing a row and asking for approval both require it.
    justification = models.TextField(
        blank=True, max_length=4000, help_text="Why the control is included or excluded; required either way."
    )
    implementation_status = models.CharField(
        max_length=20, choices=ImplementationStatus.choices, default=ImplementationStatus.PLANNED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="soa_entries"
    )
    position = models.PositiveIntegerField(default=0, help_text="Order on the SoA: Annex A first, then added ones.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "SoA entry"
        verbose_name_plural = "SoA entries"
        constraints = [
            # A row is about one control: an Annex A control or an added one, never both or neither.
            models.CheckConstraint(
                condition=(Q(requirement__isnull=False) & Q(added_control__isnull=True))
                | (Q(requirement__isnull=True) & Q(added_control__isnull=False)),
                name="controls_soaentry_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"SoA {self.ref} {self.title}"

    @property
    def ref(self) -> str:
        return self.requirement.ref if self.requirement_id else self.added_control.code

    @property
    def title(self) -> str:
        return self.requirement.title if self.requirement_id else self.added_control.name

    @property
    def is_added(self) -> bool:
        return self.added_control_id is not None


class SoAVersionQuerySet(RestrictedQuerySet):
    def approved(self) -> SoAVersionQuerySet:
        """Versions whose decision was approved, whichever way it was decided (the SoA page or /decisions/)."""
        from aims.core.choices import DecisionStatus

        return self.filter(decision__status=DecisionStatus.APPROVED)


class SoAVersion(models.Model):
    """A Statement of Applicability frozen for approval (ISO/IEC 42001 6.1.3 d, 7.5.3: documented information
    under change control), and, once a committee member approved it (four eyes), a numbered version.

    Made when an officer asks for approval: `snapshot` holds every row of the draft as it was, so what the
    committee approves is exactly what was asked about; `snapshot_sha256` is the decision's subject version.
    Immutable: a row is never changed after it is made, except that approval gives it its number and date once.
    `signing_key_fingerprint` is the seam for the signing key printed on every SoA approval (DESIGN.md, Keys):
    filled in by the signing work of a later issue, empty until then.
    """

    number = models.PositiveIntegerField(null=True, blank=True, unique=True, help_text="Given on approval.")
    # Null only inside the transaction that makes the version: the decision's subject must exist first.
    decision = models.OneToOneField(
        Decision, on_delete=models.PROTECT, null=True, blank=True, related_name="soa_version"
    )
    snapshot = models.JSONField(help_text="Every row of the draft when approval was requested.")
    snapshot_sha256 = models.CharField(max_length=64)
    catalog_version = models.CharField(max_length=80, blank=True, help_text="The ISO/IEC 42001 data version.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    signing_key_fingerprint = models.CharField(
        max_length=128, blank=True, help_text="Fingerprint of the key that signed the approval (a later issue)."
    )

    objects = SoAVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "SoA version"
        indexes = [
            # "The version in force on a date" reads approved versions by approval time.
            models.Index(fields=["approved_at"], name="controls_soaversion_appr_idx"),
        ]

    def __str__(self) -> str:
        return f"SoA version {self.number}" if self.number else f"SoA proposal {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ValueError("An SoA version is immutable; approval sets its number through the service.")
        super().save(*args, **kwargs)

    @property
    def rows(self) -> list[dict]:
        return list(self.snapshot.get("rows", []))


class ControlCheckResult(models.Model):
    """One dated result of checking that a control operates (ISO/IEC 42001 9.1: monitoring and measurement).

    Automated checks over evidence rollups write these through `services.record_check_result` (source
    "automated:<check name>"); people may record a manual result (source "manual"). Append-only and derived,
    so not under history (DESIGN.md, History).
    """

    implementation = models.ForeignKey(ControlImplementation, on_delete=models.PROTECT, related_name="check_results")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    metric = models.CharField(max_length=80, help_text="What was measured, e.g. an enforcement metric code.")
    value = models.DecimalField(max_digits=20, decimal_places=6)
    target = models.CharField(max_length=120, help_text="The target the value was compared with, e.g. '= 0'.")
    outcome = models.CharField(max_length=10, choices=CheckOutcome.choices)
    source = models.CharField(max_length=120, help_text='"automated:<check name>" or "manual".')
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="controls_checkresult_period_order"
            ),
        ]
        indexes = [
            # The status reads the latest result per implementation and metric.
            models.Index(fields=["implementation", "metric", "-period_end"], name="controls_checkresult_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.implementation.code} {self.metric} {self.outcome} ({self.period_end:%Y-%m-%d})"
