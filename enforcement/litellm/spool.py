"""A durable local spool of evidence events: nothing a gateway decided is lost while the portal is away.

Every event is written here before anything tries to send it, so "recorded" means "on disk":

- `segments/<n>.ndjson`: append-only files, one JSON event per line, each append flushed and fsync'ed. A
  process always starts a new segment, so it never appends after a line torn by a crash; a torn or unreadable
  line is skipped when read and counted as dropped.
- `state.json`: the upload cursor (segment, byte offset), the highest `producer_seq` handed out and the
  cumulative counters. It is replaced atomically (write, fsync, rename, fsync the folder) after each upload
  the portal accepted with a 202. A segment is deleted only once the cursor has passed it.
- `lock`: an exclusive `flock`, so two processes never share a spool (and a node's `producer_seq`).

Delivery is at least once: after a crash between a 202 and the state write, the same events are sent again,
and the portal stores them once (it dedupes on `(source, event_id)`).

`producer_seq` is per node, increasing, and survives restarts: on start it is the larger of the state's
value and the highest sequence found in the segments still on disk (every sequence handed out is written to a
segment before the state can pass it).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SEGMENT_SUFFIX = ".ndjson"


@dataclass(frozen=True)
class Position:
    """A place in the spool: a segment number and a byte offset inside it."""

    segment: int
    offset: int


@dataclass
class Batch:
    """Events read from the spool, and where the cursor goes once the portal has taken them."""

    events: list[dict[str, Any]]
    end: Position
    skipped: int  # torn or unreadable lines passed over: counted as dropped when the batch is acknowledged


class SpoolLocked(RuntimeError):
    """Another process holds this spool directory."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    """Append-only, fsync'ed event spool with a persisted cursor, sequence and counters. Thread-safe."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        max_bytes: int = 256 * 1024 * 1024,
        segment_bytes: int = 4 * 1024 * 1024,
        fsync: bool = True,
    ) -> None:
        self.directory = Path(directory)
        self.segments_dir = self.directory / "segments"
        self.segments_dir.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.segment_bytes = segment_bytes
        self.fsync = fsync
        self._lock = threading.RLock()
        self._lock_file = open(self.directory / "lock", "a+")  # noqa: SIM115  held for the spool's lifetime
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock_file.close()
            raise SpoolLocked(f"{self.directory} is used by another process") from None
        state = self._read_state()
        self.cursor = Position(state.get("segment", 0), state.get("offset", 0))
        self.sent = int(state.get("sent", 0))
        self.dropped = int(state.get("dropped", 0))
        self.spooled = int(state.get("spooled", 0))
        state_seq = int(state.get("seq", 0))
        # Recover what happened after the last state write: sequences handed out and events written since.
        disk_seq, unseen = 0, 0
        for number in self._segment_numbers():
            for event in self._scan(number):
                seq = event.get("producer_seq")
                if isinstance(seq, int):
                    disk_seq = max(disk_seq, seq)
                    if seq > state_seq:
                        unseen += 1
        self.seq = max(state_seq, disk_seq)
        self.spooled += unseen
        numbers = self._segment_numbers()
        if numbers and self.cursor.segment < numbers[0]:
            self.cursor = Position(numbers[0], 0)
        self._active_number = max([*numbers, self.cursor.segment, 0]) + 1  # never append after a torn line
        self._active = open(self._segment_path(self._active_number), "ab")  # noqa: SIM115
        if self.fsync:
            _fsync_dir(self.segments_dir)
        self._bytes = sum(self._segment_path(n).stat().st_size for n in numbers)
        self._write_state()

    # -- writing ---------------------------------------------------------------------------------------------

    def append(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """Give the event the node's next `producer_seq` and write it durably; None if the spool is full.

        A full spool drops the event (counted in `dropped`, which the next heartbeat reports) rather than
        blocking the request: the portal sees the loss in the counters, and no sequence number is spent on it.
        """
        with self._lock:
            line_seq = self.seq + 1
            line = json.dumps({**event, "producer_seq": line_seq}, separators=(",", ":")).encode() + b"\n"
            if self._bytes + len(line) > self.max_bytes:
                self.dropped += 1
                return None
            if self._active.tell() and self._active.tell() + len(line) > self.segment_bytes:
                self._roll()
            self._active.write(line)
            self._active.flush()
            if self.fsync:
                os.fsync(self._active.fileno())
            self.seq = line_seq
            self._bytes += len(line)
            self.spooled += 1
            event["producer_seq"] = line_seq
            return event

    def _roll(self) -> None:
        self._active.close()
        self._active_number += 1
        self._active = open(self._segment_path(self._active_number), "ab")  # noqa: SIM115
        if self.fsync:
            _fsync_dir(self.segments_dir)

    # -- reading and acknowledging ---------------------------------------------------------------------------

    def read_batch(self, max_events: int) -> Batch:
        """Up to `max_events` complete events from the cursor on (the cursor moves only on `ack`)."""
        with self._lock:
            numbers = [n for n in self._segment_numbers() if n >= self.cursor.segment]
            limits = {n: self._segment_path(n).stat().st_size for n in numbers}
        events: list[dict[str, Any]] = []
        skipped = 0
        end = self.cursor
        for number in numbers:
            offset = end.offset if number == end.segment else 0
            with open(self._segment_path(number), "rb") as handle:
                handle.seek(offset)
                remaining = limits[number] - offset
                while remaining > 0 and len(events) < max_events:
                    line = handle.readline(remaining)
                    remaining -= len(line)
                    if not line.endswith(b"\n"):
                        if number != self._active_number:
                            skipped += 1  # torn by a crash: never completed, never acknowledged
                            offset += len(line)
                        break  # the active segment's last line may still be being written
                    offset += len(line)
                    try:
                        event = json.loads(line)
                    except ValueError:
                        skipped += 1
                        continue
                    if isinstance(event, dict):
                        events.append(event)
                    else:
                        skipped += 1
            end = Position(number, offset)
            if len(events) >= max_events:
                break
        return Batch(events, end, skipped)

    def ack(self, batch: Batch, *, sent: int, dropped: int = 0) -> None:
        """The portal took the batch (202): move the cursor past it, persist, delete consumed segments."""
        with self._lock:
            self.cursor = batch.end
            self.sent += sent
            self.dropped += dropped + batch.skipped
            self._write_state()
            for number in self._segment_numbers():
                if number < self.cursor.segment and number != self._active_number:
                    path = self._segment_path(number)
                    self._bytes -= path.stat().st_size
                    path.unlink()

    def pending(self) -> int:
        """Events written and not yet acknowledged (reads the spool; for tests and diagnostics)."""
        return len(self.read_batch(10**9).events)

    def counters(self) -> dict[str, int]:
        with self._lock:
            return {"sent": self.sent, "spooled": self.spooled, "dropped": self.dropped}

    def close(self) -> None:
        with self._lock:
            self._write_state()
            self._active.close()
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()

    # -- files -----------------------------------------------------------------------------------------------

    def _segment_path(self, number: int) -> Path:
        return self.segments_dir / f"{number:010d}{SEGMENT_SUFFIX}"

    def _segment_numbers(self) -> list[int]:
        numbers = []
        for path in self.segments_dir.glob(f"*{SEGMENT_SUFFIX}"):
            with contextlib.suppress(ValueError):
                numbers.append(int(path.stem))
        return sorted(numbers)

    def _scan(self, number: int) -> list[dict[str, Any]]:
        events = []
        with open(self._segment_path(number), "rb") as handle:
            for line in handle:
                if not line.endswith(b"\n"):
                    break
                with contextlib.suppress(ValueError):
                    event = json.loads(line)
                    if isinstance(event, dict):
                        events.append(event)
        return events

    def _read_state(self) -> dict[str, Any]:
        try:
            state = json.loads((self.directory / "state.json").read_text())
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _write_state(self) -> None:
        state = {
            "segment": self.cursor.segment,
            "offset": self.cursor.offset,
            "seq": self.seq,
            "sent": self.sent,
            "spooled": self.spooled,
            "dropped": self.dropped,
        }
        temporary = self.directory / "state.json.tmp"
        with open(temporary, "w") as handle:
            json.dump(state, handle)
            handle.flush()
            if self.fsync:
                os.fsync(handle.fileno())
        os.replace(temporary, self.directory / "state.json")
        if self.fsync:
            _fsync_dir(self.directory)
