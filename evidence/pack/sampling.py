"""A reproducible sample of decision events per control, for the auditor to trace (issue 10, item 4).

ISO/IEC 42001 9.2 (internal audit) and the external audit sample records rather than read millions of them. For
each Annex A control an enforcement metric evidences, and each source, the pack draws `size` events from the
control's *population*: the events of the period that the control's first metric is computed over (all
decisions, blocks, content decisions, or every event including heartbeats for the log controls). The draw is

    rng = random.Random("<seed>:<control ref>:<source>")
    positions = sorted(rng.sample(range(len(population)), min(size, len(population))))

over the population in chain order, so anyone holding the pack and the seed gets the same events (verify.py
--deep recomputes it from the events themselves). The rules are data in sampling.json, never code paths.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from controls.choices import RequirementKind, RequirementStatus
from controls.models import Requirement, RequirementMetric, SoAEntry

DEFAULT_SIZE = 25

# Which events a metric is computed over: every named field must hold one of the listed values. The fields are
# those of the event as received (DESIGN.md, Event fields); the store keeps copies as columns of the same names.
POPULATIONS: dict[str, dict[str, list[str]]] = {
    "decisions": {"kind": ["decision"]},
    "blocks": {"kind": ["decision"], "decision": ["block"]},
    "content_decisions": {"kind": ["decision"], "stage": ["pre_call", "post_call"]},
    "all_events": {"kind": ["decision", "heartbeat"]},
}
RULE_FIELDS = ("kind", "stage", "decision")


def population_of(metric_code: str) -> str:
    """The population a metric is computed over (enforcement_controls.yaml, metrics)."""
    if metric_code.startswith(("M-LOG", "M-CLOCK")):
        return "all_events"  # continuity and integrity are about every record, heartbeats included
    if metric_code in {"M-MODEL-BLOCK", "M-UC-SCOPE", "M-PROHIB"}:
        return "blocks"
    if metric_code.startswith("M-RED"):
        return "content_decisions"
    return "decisions"


def population_q(name: str) -> Q:
    return Q(**{f"{column}__in": values for column, values in POPULATIONS[name].items()})


def populations_of_row(kind: str, stage: str, decision: str) -> tuple[str, ...]:
    row = {"kind": kind, "stage": stage, "decision": decision}
    return tuple(name for name, rule in POPULATIONS.items() if all(row[f] in v for f, v in rule.items()))


def draw(seed: int, control: str, source: str, population_size: int, size: int) -> list[int]:
    """Positions (0-based, in chain order) of the sampled members; verify.py carries the same rule."""
    rng = random.Random(f"{seed}:{control}:{source}")  # noqa: S311  reproducible by design, not a secret
    return sorted(rng.sample(range(population_size), min(size, population_size)))


@dataclass(frozen=True)
class SampledControl:
    ref: str
    title: str
    metric: str
    population: str


def sampled_controls() -> list[SampledControl]:
    """Annex A controls that apply (or have no SoA row yet) and that an enforcement metric evidences."""
    not_applicable = SoAEntry.objects.filter(applies=False, requirement__isnull=False)
    excluded = set(not_applicable.values_list("requirement_id", flat=True))
    first_metric: dict[int, str] = {}
    links = RequirementMetric.objects.filter(
        requirement__framework__slug="iso42001",
        requirement__kind=RequirementKind.CONTROL,
        requirement__status=RequirementStatus.ACTIVE,
        metric__withdrawn=False,
    ).order_by("requirement__position", "metric__position", "metric__code")
    for requirement_id, code in links.values_list("requirement_id", "metric__code"):
        first_metric.setdefault(requirement_id, code)
    requirements = Requirement.objects.filter(pk__in=list(first_metric)).exclude(pk__in=excluded).order_by("position")
    return [
        SampledControl(r.ref, r.title, first_metric[r.pk], population_of(first_metric[r.pk])) for r in requirements
    ]


@dataclass
class Sampler:
    """Collects the sampled events while the events are streamed, one pass, whatever the number of events."""

    seed: int
    size: int
    controls: list[SampledControl]
    # (source, population) -> {position: [control refs]}
    wanted: dict[tuple[str, str], dict[int, list[str]]] = field(default_factory=dict)
    sizes: dict[tuple[str, str], int] = field(default_factory=dict)
    picked: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    _counters: dict[str, int] = field(default_factory=dict)
    _targets: dict[tuple[str, str, str], list[tuple[str, dict[int, list[str]]]]] = field(default_factory=dict)

    def plan_source(self, source: str, population_sizes: dict[str, int]) -> None:
        for name, count in population_sizes.items():
            self.sizes[(source, name)] = count
            self.wanted[(source, name)] = defaultdict(list)
        for control in self.controls:
            key = (source, control.population)
            for position in draw(self.seed, control.ref, source, self.sizes[key], self.size):
                self.wanted[key][position].append(control.ref)
        self._counters = dict.fromkeys(POPULATIONS, 0)
        self._targets = {}  # per source: the wanted positions differ

    def needed_populations(self) -> set[str]:
        return {control.population for control in self.controls}

    def see(
        self, source: str, kind: str, stage: str, decision: str, chain_index: int, event_id: str, canonical: str
    ) -> None:
        """Count one event into its populations; keep it when its position was drawn. Called once per event."""
        triple = (kind, stage, decision)
        targets = self._targets.get(triple)
        if targets is None:
            names = populations_of_row(kind, stage, decision)
            targets = self._targets[triple] = [(name, self.wanted.get((source, name), {})) for name in names]
        counters = self._counters
        for name, wanted in targets:
            position = counters[name]
            counters[name] = position + 1
            if position in wanted:
                day = json.loads(canonical)["received_at"][:10]
                for ref in wanted[position]:
                    self.picked[(source, ref)].append(
                        {"source": source, "chain_index": chain_index, "event_id": event_id, "day": day}
                    )

    def document(self, sources: Iterable[str]) -> dict[str, Any]:
        entries = []
        for control in self.controls:
            for source in sources:
                entries.append(
                    {
                        "control": control.ref,
                        "title": control.title,
                        "metric": control.metric,
                        "population": control.population,
                        "source": source,
                        "population_size": self.sizes.get((source, control.population), 0),
                        "sample": self.picked.get((source, control.ref), []),
                    }
                )
        return {
            "seed": self.seed,
            "size": self.size,
            "method": (
                'For each control and source: rng = random.Random("<seed>:<control>:<source>"); the population is '
                "the source's events of the period matching the control's population rule, in chain order; "
                "positions = sorted(rng.sample(range(len(population)), min(size, len(population)))). Each sampled "
                "event is found in events/<source>.ndjson.gz by its chain_index."
            ),
            "populations": POPULATIONS,
            "controls": entries,
        }
