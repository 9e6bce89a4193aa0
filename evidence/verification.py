"""Recompute a source's chain from the store (manage.py verify_evidence; DESIGN.md, Verification)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from evidence import chain
from evidence.models import ChainHead, Event, EvidenceSource


@dataclass(frozen=True)
class Report:
    source: str
    checked: int
    first_index: int | None
    last_index: int | None
    problem: chain.Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _rows(source: EvidenceSource, first: int, last: int) -> Iterator[chain.StoredEvent]:
    fields = ("chain_index", "received_at", "canonical", "leaf_hash", "event_hash")
    rows = (
        Event.objects.filter(source=source, chain_index__gte=first, chain_index__lte=last)
        .order_by("chain_index")
        .values_list(*fields)
        .iterator(chunk_size=5000)
    )
    for index, received_at, canonical, leaf, event_hash in rows:
        yield chain.StoredEvent(source.name, index, received_at, canonical, leaf, event_hash)


def _index_span(source: EvidenceSource, start: date | None, end: date | None) -> tuple[int, int] | None:
    """The chain indexes of the events received between two UTC days, checked as one contiguous run."""
    events = Event.objects.filter(source=source)
    if start is not None:
        events = events.filter(received_at__gte=datetime.combine(start, time.min, tzinfo=UTC))
    if end is not None:
        events = events.filter(received_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC))
    first = events.order_by("chain_index").values_list("chain_index", flat=True).first()
    if first is None:
        return None
    last = events.order_by("-chain_index").values_list("chain_index", flat=True).first()
    return first, last


def verify_source(source: EvidenceSource, *, start: date | None = None, end: date | None = None) -> Report:
    """Verify the whole stored chain (from the head's first index to its last), or the part received between
    two UTC days. A part is linked to the stored event before it, or to the head's start."""
    head = ChainHead.objects.filter(source=source).first() or ChainHead(source=source)
    if start is None and end is None:
        first, last = head.first_index, head.last_index
        # Rows outside the head's ends were never written by the chain's writer: an insertion at either end.
        stray = (
            Event.objects.filter(source=source)
            .exclude(chain_index__gte=first, chain_index__lte=last)
            .order_by("chain_index")
            .values_list("chain_index", flat=True)
            .first()
        )
        if stray is not None:
            return Report(
                source.name, 0, first, last, chain.Problem(stray, "lies outside the chain's ends (inserted)")
            )
        if last < first:
            return Report(source.name, 0, None, None, None)
    else:
        span = _index_span(source, start, end)
        if span is None:
            return Report(source.name, 0, None, None, None)
        first, last = span
    if first == head.first_index:
        prev = bytes.fromhex(head.first_prev_hash)
    else:
        before = (
            Event.objects.filter(source=source, chain_index=first - 1).values_list("event_hash", flat=True).first()
        )
        if before is None:
            return Report(source.name, 0, first, last, chain.Problem(first - 1, "is missing (the run's predecessor)"))
        prev = bytes.fromhex(before)
    problem = chain.verify_chain(
        _rows(source, first, last), source=source.name, prev_hash=prev, first_index=first, last_index=last
    )
    return Report(source.name, last - first + 1, first, last, problem)
