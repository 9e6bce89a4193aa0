"""Reads of the evidence app, scoped by user."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import rfc8785
from django.db.models import QuerySet
from django.utils import timezone

from controls.models import ControlCheckResult
from evidence import chain, checkpoints
from evidence.models import ChainHead, Checkpoint, Event, EvidenceSource, SourceDay, SourceNode


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


# --- the evidence explorer -----------------------------------------------------------------------------------


def events_for(user: Any) -> QuerySet[Event]:
    """Events of the sources the user may see; nothing without `view_event`."""
    if user is None or not user.is_authenticated or not user.has_perm("evidence.view_event"):
        return Event.objects.none()
    return Event.objects.filter(source_id__in=sources_for(user).values("pk"))


def checkpoints_for(user: Any) -> QuerySet[Checkpoint]:
    """Checkpoints are read with the events they sign: whoever reads a source's events reads its checkpoints."""
    if user is None or not user.is_authenticated or not user.has_perm("evidence.view_event"):
        return Checkpoint.objects.none()
    return Checkpoint.objects.filter(source__in=sources_for(user)).select_related("source", "key")


def check_results_for(user: Any) -> QuerySet[ControlCheckResult]:
    return ControlCheckResult.objects.restrict(user, "view").select_related("implementation")


def event_rule_ids(canonical: str) -> list[str]:
    """The event's `policy.rule_ids`, read from its canonical text (what the store verifies)."""
    try:
        rules = json.loads(canonical).get("event", {}).get("policy", {}).get("rule_ids", [])
    except (ValueError, AttributeError):
        return []
    return [str(r) for r in rules] if isinstance(rules, list) else []


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: not applicable yet (e.g. not yet checkpointed)
    detail: str


@dataclass(frozen=True)
class EventVerification:
    envelope: dict[str, Any] | None
    prev_hash: str | None
    checkpoint: Checkpoint | None
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok is not False for c in self.checks)


def _prev_hash(event: Event) -> str | None:
    head = ChainHead.objects.filter(source_id=event.source_id).first()
    if head is not None and event.chain_index == head.first_index:
        return head.first_prev_hash
    return (
        Event.objects.filter(source_id=event.source_id, chain_index=event.chain_index - 1)
        .values_list("event_hash", flat=True)
        .first()
    )


def verify_event(event: Event) -> EventVerification:
    """Recompute one event's place in the evidence: its leaf from the canonical text, its link to the event
    before it, and the signed checkpoint of its day (signature and Merkle root over that day's stored events)."""
    checks: list[Check] = []
    source_name = EvidenceSource.objects.filter(pk=event.source_id).values_list("name", flat=True).first()
    try:
        envelope = json.loads(event.canonical)
    except ValueError:
        envelope = None
    canonical_ok = envelope is not None and rfc8785.dumps(envelope) == event.canonical.encode()
    position_ok = (
        canonical_ok
        and envelope.get("source") == source_name
        and envelope.get("chain_index") == event.chain_index
        and envelope.get("received_at") == chain.format_received_at(event.received_at)
    )
    checks.append(
        Check(
            "Canonical envelope",
            canonical_ok and position_ok,
            "RFC 8785 text naming this source, position and arrival time"
            if canonical_ok and position_ok
            else "the stored text is not the canonical envelope of this position",
        )
    )
    leaf = chain.leaf_hash(event.canonical.encode())
    checks.append(
        Check(
            "Leaf hash",
            leaf.hex() == event.leaf_hash,
            "SHA-256 of the canonical text matches" if leaf.hex() == event.leaf_hash else "does not match the text",
        )
    )
    prev = _prev_hash(event)
    if prev is None:
        checks.append(Check("Chain link", False, f"the event before (index {event.chain_index - 1}) is missing"))
    else:
        linked = chain.next_hash(bytes.fromhex(prev), bytes.fromhex(event.leaf_hash)).hex() == event.event_hash
        checks.append(
            Check(
                "Chain link",
                linked,
                "event hash = SHA-256(previous event hash ‖ leaf)" if linked else "does not follow from the previous",
            )
        )
    checkpoint = checkpoints.covering_checkpoint(event)
    if checkpoint is None:
        checks.append(Check("Signed checkpoint", None, "not yet checkpointed (its day is not signed yet)"))
    else:
        problems = checkpoints.verify_checkpoint(checkpoint, checkpoints.recorded_public_keys())
        checks.append(
            Check(
                "Signed checkpoint",
                not problems,
                f"signed by key {checkpoint.key_id}; the day's Merkle root verifies"
                if not problems
                else "; ".join(problems),
            )
        )
    return EventVerification(envelope, prev, checkpoint, checks)
