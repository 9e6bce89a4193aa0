"""Reads of the evidence app, scoped by user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from evidence.models import EvidenceSource, SourceDay, SourceNode


def sources_for(user: Any) -> QuerySet[EvidenceSource]:
    return EvidenceSource.objects.restrict(user, "view").select_related("owner", "head")


@dataclass(frozen=True)
class SourceHealth:
    source: EvidenceSource
    last_seen_at: Any
    events_today: int
    silent_nodes: list[SourceNode]
    sequence_holes: int
    nodes: list[SourceNode]

    @property
    def gaps(self) -> int:
        return len(self.silent_nodes) + self.sequence_holes


def source_health(sources: list[EvidenceSource]) -> list[SourceHealth]:
    """Last seen, events today and gaps for each source, from the per-node and per-day tables only."""
    now = timezone.now()
    ids = [s.pk for s in sources]
    nodes: dict[int, list[SourceNode]] = {pk: [] for pk in ids}
    for node in SourceNode.objects.filter(source_id__in=ids):
        nodes[node.source_id].append(node)
    today = {d.source_id: d.events for d in SourceDay.objects.filter(source_id__in=ids, day=now.date())}
    out = []
    for source in sources:
        mine = nodes[source.pk]
        silent = [n for n in mine if n.silent_for(now) > source.heartbeat_seconds]
        out.append(
            SourceHealth(
                source=source,
                last_seen_at=max((n.last_seen_at for n in mine), default=None),
                events_today=today.get(source.pk, 0),
                silent_nodes=silent,
                sequence_holes=sum(n.sequence_holes for n in mine),
                nodes=mine,
            )
        )
    return out
