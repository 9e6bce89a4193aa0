"""Rollups: counts of decisions kept up to date by expansion, so dashboards and control checks never scan raw
events (issue 8, item 4). Derived data: not under history (DESIGN.md, History); `rebuild_rollups` recomputes
them from the chain.

Two grains share one table: a row per UTC day (kept for the retention period) and a row per UTC hour (kept for
the last 7 days). A decision event counts once in `Rollup`, under its (source, use case, model, decision,
revision); once more per rule id it names in `RuleRollup`, because an event can fire several rules and the
decision totals must not double count. Silences longer than a source's heartbeat are kept as `NodeGap` rows
when expansion sees them, for the decision-log continuity check.
"""

from __future__ import annotations

from django.db import models

from evidence.choices import Granularity
from evidence.models.store import EvidenceSource

# Upper bounds (ms) of the latency histogram's buckets; one more bucket counts everything above the last bound.
LATENCY_BOUNDS_MS: tuple[int, ...] = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)


def empty_histogram() -> list[int]:
    return [0] * (len(LATENCY_BOUNDS_MS) + 1)


class Rollup(models.Model):
    """Decisions of one source in one bucket, per use case, model (as requested), decision and bundle revision."""

    granularity = models.CharField(max_length=4, choices=Granularity.choices)
    bucket = models.DateTimeField(help_text="Start of the UTC day or hour, by occurred_at.")
    source = models.ForeignKey(EvidenceSource, on_delete=models.PROTECT, related_name="rollups")
    use_case = models.CharField(max_length=128, blank=True)
    model = models.CharField(max_length=200, blank=True)
    decision = models.CharField(max_length=16, blank=True)
    revision = models.CharField(max_length=64, blank=True, help_text="The policy bundle revision decided under.")
    events = models.BigIntegerField(default=0)
    redaction_executed = models.BigIntegerField(default=0)
    fail_open = models.BigIntegerField(default=0)
    prompt_tokens = models.BigIntegerField(default=0)
    completion_tokens = models.BigIntegerField(default=0)
    cost = models.DecimalField(max_digits=20, decimal_places=6, default=0)
    latency_sum_ms = models.FloatField(default=0)
    latency_count = models.BigIntegerField(default=0)
    latency_histogram = models.JSONField(default=empty_histogram, help_text="Counts per LATENCY_BOUNDS_MS bucket.")
    redactions = models.JSONField(default=dict, blank=True, help_text="Redacted entities by type: {TYPE: n}.")

    class Meta:
        ordering = ["source", "-bucket"]
        constraints = [
            models.UniqueConstraint(
                fields=["granularity", "bucket", "source", "use_case", "model", "decision", "revision"],
                name="rollup_key_uniq",
            )
        ]
        indexes = [
            # Dashboards and checks read a period of one grain, across sources.
            models.Index(fields=["granularity", "bucket"], name="rollup_grain_bucket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.granularity} {self.bucket:%Y-%m-%d %H:00} {self.use_case} {self.decision}"


class RuleRollup(models.Model):
    """How often each rule fired, per source, bucket, use case and decision."""

    granularity = models.CharField(max_length=4, choices=Granularity.choices)
    bucket = models.DateTimeField()
    source = models.ForeignKey(EvidenceSource, on_delete=models.PROTECT, related_name="rule_rollups")
    use_case = models.CharField(max_length=128, blank=True)
    rule_id = models.CharField(max_length=128)
    decision = models.CharField(max_length=16, blank=True)
    events = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["source", "-bucket", "rule_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["granularity", "bucket", "source", "use_case", "rule_id", "decision"],
                name="rulerollup_key_uniq",
            )
        ]
        indexes = [models.Index(fields=["granularity", "bucket"], name="rulerollup_grain_bucket_idx")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.granularity} {self.bucket:%Y-%m-%d %H:00} {self.rule_id}: {self.events}"


class NodeGap(models.Model):
    """A silence of one gateway node longer than its source's heartbeat, or a hole in its producer_seq."""

    class Kind(models.TextChoices):
        SILENCE = "silence", "Silence longer than the heartbeat"
        SEQUENCE = "sequence", "Missing producer_seq values"

    source = models.ForeignKey(EvidenceSource, on_delete=models.PROTECT, related_name="gaps")
    node_id = models.CharField(max_length=128)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    seconds = models.FloatField(default=0)
    missing = models.BigIntegerField(default=0, help_text="producer_seq values missing (sequence gaps).")
    detected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["source", "-started_at"]
        indexes = [models.Index(fields=["source", "started_at"], name="nodegap_source_started_idx")]

    def __str__(self) -> str:
        return f"{self.source_id}/{self.node_id} {self.kind} {self.started_at:%Y-%m-%d %H:%M} ({self.seconds:.0f}s)"
