"""The uploader: retries with backoff, Retry-After, heartbeats with counters, resends after a restart."""

# ruff: noqa: S106  (fake tokens for a fake portal)

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

from enforcement.litellm import EventShipper, PortalClient, Spool, heartbeat_event
from enforcement.litellm.client import Response


class Portal:
    """The evidence endpoint as the contract describes it: 202 with counts, dedupe by event id."""

    def __init__(self) -> None:
        self.stored: dict[str, dict[str, Any]] = {}
        self.status = 202
        self.down = False
        self.retry_after: str | None = None
        self.posts = 0
        self.reject: set[str] = set()
        self.max_batch: int | None = None

    def __call__(self, method: str, url: str, headers: dict[str, str], body: bytes | None) -> Response:
        self.posts += 1
        if self.down:
            raise ConnectionRefusedError
        if self.status != 202:
            extra = {"retry-after": self.retry_after} if self.retry_after else {}
            return Response(self.status, extra, b'{"error": {}}')
        items = json.loads(gzip.decompress(body or b""))
        if self.max_batch is not None and len(items) > self.max_batch:
            return Response(413, {}, b'{"error": {}}')
        accepted, duplicates, rejected = 0, 0, []
        for index, item in enumerate(items):
            if item["event_id"] in self.reject:
                rejected.append({"index": index, "event_id": item["event_id"], "error": "invalid"})
            elif item["event_id"] in self.stored:
                duplicates += 1
            else:
                self.stored[item["event_id"]] = item
                accepted += 1
        reply = {"batch_id": self.posts, "accepted": accepted, "duplicates": duplicates, "rejected": rejected}
        return Response(202, {}, json.dumps(reply).encode())


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def shipper(portal: Portal, directory: Path, clock: Clock | None = None, **options: Any) -> EventShipper:
    client = PortalClient(base_url="https://portal.example", source_token="tok", transport=portal)
    options.setdefault("heartbeat_seconds", 0)
    return EventShipper(
        client,
        Spool(directory, fsync=False),
        node_id="gw-1",
        clock=clock or Clock(),
        jitter=lambda: 1.0,  # no randomness in the tests: the delay is the full backoff
        **options,
    )


def decision(n: int) -> dict[str, Any]:
    return {"schema_version": "1.0", "kind": "decision", "event_id": f"ev-{n}"}


def test_failures_back_off_exponentially_and_success_resets(tmp_path: Path) -> None:
    portal, clock = Portal(), Clock()
    ship = shipper(portal, tmp_path, clock, backoff_base=1.0, backoff_max=8.0)
    ship.ship(decision(0))
    portal.down = True
    delays = []
    for _ in range(5):
        ship.tick()
        delays.append(ship.retry_at - clock.now)
        clock.now = ship.retry_at
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0]
    posts = portal.posts
    clock.now = ship.retry_at - 0.5
    ship.tick()
    assert portal.posts == posts  # no upload while backing off
    portal.down = False
    clock.now = ship.retry_at
    ship.tick()
    assert set(portal.stored) == {"ev-0"} and ship.failures == 0 and ship.pending() == 0


def test_retry_after_is_honoured(tmp_path: Path) -> None:
    portal, clock = Portal(), Clock()
    ship = shipper(portal, tmp_path, clock, backoff_base=1.0)
    ship.ship(decision(0))
    portal.status, portal.retry_after = 429, "30"
    assert ship.flush() == 0
    assert ship.retry_at - clock.now == 30.0 and ship.pending() == 1
    portal.status = 503
    portal.retry_after = None
    clock.now = ship.retry_at
    ship.tick()
    assert ship.retry_at - clock.now == 2.0  # second failure in a row


def test_heartbeats_carry_cumulative_counters_and_the_next_sequence(tmp_path: Path) -> None:
    portal, clock = Portal(), Clock()
    ship = shipper(portal, tmp_path, clock, heartbeat_seconds=60)
    ship.tick()  # a heartbeat on start
    for i in range(3):
        ship.ship(decision(i))
    ship.tick()
    clock.now += 60
    ship.tick()
    beats = sorted(
        (e for e in portal.stored.values() if e["kind"] == "heartbeat"), key=lambda e: e["producer_seq"]
    )
    assert [b["producer_seq"] for b in beats] == [1, 5]
    assert beats[0]["counters"] == {"sent": 0, "spooled": 0, "dropped": 0}
    assert beats[1]["counters"] == {"sent": 4, "spooled": 4, "dropped": 0}
    assert beats[1]["node_id"] == "gw-1" and beats[1]["schema_version"] == "1.0"
    seqs = [e["producer_seq"] for e in portal.stored.values()]
    assert sorted(seqs) == [1, 2, 3, 4, 5]


def test_events_the_portal_rejects_are_counted_as_dropped(tmp_path: Path) -> None:
    portal = Portal()
    portal.reject = {"ev-1"}
    ship = shipper(portal, tmp_path)
    for i in range(3):
        ship.ship(decision(i))
    assert ship.flush() == 2
    assert ship.counters() == {"sent": 2, "spooled": 3, "dropped": 1} and ship.pending() == 0


def test_a_batch_too_large_is_split(tmp_path: Path) -> None:
    portal = Portal()
    portal.max_batch = 2
    ship = shipper(portal, tmp_path, batch_size=8)
    for i in range(7):
        ship.ship(decision(i))
    assert ship.flush() == 7 and len(portal.stored) == 7


def test_a_restart_resends_the_spool_and_the_portal_stores_each_event_once(tmp_path: Path) -> None:
    portal = Portal()
    first = shipper(portal, tmp_path)
    for i in range(5):
        first.ship(decision(i))
    assert first.flush() == 5
    # The process dies after the 202 but before the cursor was saved: the spool still holds the batch.
    first.spool.cursor = type(first.spool.cursor)(0, 0)
    first.spool._write_state()
    first.ship(decision(5))
    portal.down = True
    first.flush()
    first.stop(flush=False)
    portal.down = False
    second = shipper(portal, tmp_path)
    assert second.flush() == 6  # 5 duplicates, 1 new: all stored, none twice
    assert sorted(portal.stored) == [f"ev-{i}" for i in range(6)]
    assert second.pending() == 0


def test_the_background_thread_uploads_shipped_events(tmp_path: Path) -> None:
    portal = Portal()
    ship = shipper(portal, tmp_path, flush_seconds=0.05)
    ship.clock = time.monotonic
    ship.start()
    ship.ship(decision(0))
    deadline = time.monotonic() + 5
    while "ev-0" not in portal.stored and time.monotonic() < deadline:
        time.sleep(0.02)
    ship.stop()
    assert "ev-0" in portal.stored


def test_a_heartbeat_has_exactly_the_contract_fields() -> None:
    beat = heartbeat_event(node_id="gw-1", counters={"sent": 1, "spooled": 2, "dropped": 0})
    assert set(beat) == {
        "schema_version",
        "kind",
        "event_id",
        "occurred_at",
        "node_id",
        "producer_seq",
        "counters",
        "attributes",
    }
    assert beat["occurred_at"].endswith("Z")
