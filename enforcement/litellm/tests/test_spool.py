"""The durable spool: sequence numbers across restarts, torn lines after a crash, at-least-once resends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from enforcement.litellm import Spool, SpoolLocked, open_node_spool


def event(n: int) -> dict[str, Any]:
    return {"kind": "decision", "event_id": f"ev-{n}", "producer_seq": None}


def crash(spool: Spool) -> None:
    """Let go of the files as a killed process would: no state written, the lock released by the kernel."""
    spool._active.close()
    spool._lock_file.close()


def segments(directory: Path) -> list[Path]:
    return sorted((directory / "segments").glob("*.ndjson"))


def test_producer_seq_increases_and_continues_after_a_clean_restart(tmp_path: Path) -> None:
    spool = Spool(tmp_path, fsync=False)
    assert [spool.append(event(i))["producer_seq"] for i in range(3)] == [1, 2, 3]
    spool.close()
    again = Spool(tmp_path, fsync=False)
    assert again.append(event(3))["producer_seq"] == 4


def test_producer_seq_is_recovered_from_the_segments_after_a_crash(tmp_path: Path) -> None:
    spool = Spool(tmp_path, fsync=False)
    for i in range(5):
        spool.append(event(i))
    crash(spool)  # state.json still says seq 0: the segments hold the truth
    again = Spool(tmp_path, fsync=False)
    assert again.seq == 5 and again.append(event(5))["producer_seq"] == 6
    assert again.counters()["spooled"] == 6


def test_a_torn_last_line_is_skipped_counted_as_dropped_and_never_appended_to(tmp_path: Path) -> None:
    spool = Spool(tmp_path, fsync=False)
    for i in range(3):
        spool.append(event(i))
    crash(spool)
    [segment] = segments(tmp_path)
    with open(segment, "ab") as handle:
        handle.write(b'{"kind":"decision","event_id":"ev-torn","produ')  # the process died mid-write
    again = Spool(tmp_path, fsync=False)
    assert again.append(event(3))["producer_seq"] == 4  # the torn line spent no sequence number
    assert len(segments(tmp_path)) == 2  # a restarted spool writes to a new segment
    batch = again.read_batch(100)
    assert [e["event_id"] for e in batch.events] == ["ev-0", "ev-1", "ev-2", "ev-3"]
    again.ack(batch, sent=4)
    assert again.counters() == {"sent": 4, "spooled": 4, "dropped": 1}


def test_an_unreadable_line_is_skipped_and_the_rest_is_read(tmp_path: Path) -> None:
    spool = Spool(tmp_path, fsync=False)
    spool.append(event(0))
    with open(segments(tmp_path)[0], "ab") as handle:
        handle.write(b"\x00garbage\n")
    spool.append(event(1))
    batch = spool.read_batch(10)
    assert [e["event_id"] for e in batch.events] == ["ev-0", "ev-1"] and batch.skipped == 1


def test_events_leave_the_spool_only_when_acknowledged(tmp_path: Path) -> None:
    spool = Spool(tmp_path, fsync=False)
    for i in range(4):
        spool.append(event(i))
    first = spool.read_batch(2)
    assert [e["event_id"] for e in first.events] == ["ev-0", "ev-1"]
    assert [e["event_id"] for e in spool.read_batch(2).events] == ["ev-0", "ev-1"]  # not acked: read again
    spool.ack(first, sent=2)
    crash(spool)
    again = Spool(tmp_path, fsync=False)
    # ev-2 and ev-3 were never acknowledged: resent after the restart (the portal dedupes if it had them).
    assert [e["event_id"] for e in again.read_batch(10).events] == ["ev-2", "ev-3"]


def test_consumed_segments_are_deleted_and_reading_crosses_segments_in_order(tmp_path: Path) -> None:
    spool = Spool(tmp_path, fsync=False, segment_bytes=120)
    for i in range(6):
        spool.append(event(i))
    assert len(segments(tmp_path)) >= 3
    batch = spool.read_batch(100)
    assert [e["producer_seq"] for e in batch.events] == [1, 2, 3, 4, 5, 6]
    spool.ack(batch, sent=6)
    assert len(segments(tmp_path)) == 1  # only the segment being written stays
    assert spool.pending() == 0


def test_a_full_spool_drops_new_events_counts_them_and_spends_no_sequence_number(tmp_path: Path) -> None:
    spool = Spool(tmp_path, fsync=False, max_bytes=200)
    stored = [spool.append(event(i)) for i in range(5)]
    assert None in stored
    kept = [e for e in stored if e is not None]
    assert [e["producer_seq"] for e in kept] == list(range(1, len(kept) + 1))
    assert spool.counters()["dropped"] == 5 - len(kept)


def test_two_processes_never_share_a_spool(tmp_path: Path) -> None:
    first, name = open_node_spool(tmp_path, "gw")
    with pytest.raises(SpoolLocked):
        Spool(tmp_path / "gw", fsync=False)
    second, other = open_node_spool(tmp_path, "gw")
    assert (name, other) == ("gw", "gw-2")
    first.close()
    second.close()


def test_state_is_written_atomically_and_lines_are_plain_json(tmp_path: Path) -> None:
    spool = Spool(tmp_path)  # with fsync, as in production
    spool.append(event(0))
    spool.ack(spool.read_batch(10), sent=1)
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["seq"] == 1 and state["sent"] == 1
    assert not (tmp_path / "state.json.tmp").exists()
