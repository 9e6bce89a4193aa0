"""AI objectives and the KPIs that measure them (ISO/IEC 42001 6.2)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from aims.core.querysets import RestrictedQuerySet
from aims.governance.choices import KpiDirection, KpiSource, ObjectiveStatus


class Objective(models.Model):
    """A measurable AI objective with an owner, a target and a due date (6.2)."""

    title = models.CharField(max_length=200, unique=True)
    description = models.TextField(max_length=4000, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    target = models.CharField(max_length=300, help_text="What counts as achieved, in words.")
    due_on = models.DateField()
    status = models.CharField(max_length=20, choices=ObjectiveStatus.choices, default=ObjectiveStatus.PLANNED)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "title"]
        indexes = [
            # Lists and the management review read open objectives by status and due date.
            models.Index(fields=["status", "due_on"], name="objective_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def progress(self) -> Decimal | None:
        """The share of KPIs meeting their target, 0 to 100; None without measured KPIs."""
        kpis = [k for k in self.kpis.all() if k.current_value is not None]
        if not kpis:
            return None
        met = sum(1 for k in kpis if k.met)
        return Decimal(100 * met) / len(kpis)


class Kpi(models.Model):
    """A key performance indicator of an objective (6.2 b): entered by hand, or a named evidence metric.

    The evidence-metric source is the seam that the evidence issues fill: `metric_name` names a metric over
    evidence rollups; until those land, its value is recorded like a manual one.
    """

    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="kpis")
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=20, choices=KpiSource.choices, default=KpiSource.MANUAL)
    metric_name = models.CharField(max_length=100, blank=True, help_text="The evidence metric, for that source.")
    unit = models.CharField(max_length=30, blank=True)
    target_value = models.DecimalField(max_digits=14, decimal_places=4)
    direction = models.CharField(max_length=10, choices=KpiDirection.choices, default=KpiDirection.AT_LEAST)
    current_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["objective", "name"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "name"], name="kpi_unique_name"),
            # An evidence KPI without a metric name could never be filled in by the evidence app.
            models.CheckConstraint(
                condition=~Q(source=KpiSource.EVIDENCE_METRIC) | ~Q(metric_name=""),
                name="kpi_evidence_metric_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.objective}: {self.name}"

    def clean(self) -> None:
        if self.source == KpiSource.EVIDENCE_METRIC and not self.metric_name:
            raise ValidationError({"metric_name": "Name the evidence metric."})

    @property
    def met(self) -> bool | None:
        if self.current_value is None:
            return None
        if self.direction == KpiDirection.AT_MOST:
            return self.current_value <= self.target_value
        return self.current_value >= self.target_value


class KpiMeasurement(models.Model):
    """One measured value of a KPI: the progress history (6.2, 9.1). Append-only, so not under history."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="measurements")
    measured_on = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=4)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["kpi", "-measured_on", "-id"]
        indexes = [
            # The KPI's latest value and its trend are read by date.
            models.Index(fields=["kpi", "-measured_on"], name="kpimeasurement_kpi_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.name} = {self.value} on {self.measured_on.isoformat()}"
