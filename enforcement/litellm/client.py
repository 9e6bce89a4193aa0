"""Talking to the AIMS portal with the standard library only: pull the bundle, push events.

The gateway holds a source token (`Authorization: Bearer`). The bundle is fetched with `If-None-Match`, so an
unchanged bundle costs a 304; a changed one is validated (`load_bundle`) and its revision checked against
the ETag before it replaces the last good one. Network failures keep the last good bundle: enforcement
continues with the policy it has rather than failing every request.

Events go through `EventShipper`: written to a durable local spool first (`spool.py`), then uploaded in
gzip-compressed batches to the evidence endpoint, with retries, backoff and heartbeats.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import os
import random
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from enforcement.bundle import Bundle, load_bundle
from enforcement.errors import EnforcementError

from .spool import Batch, Spool, SpoolLocked

log = logging.getLogger("enforcement.litellm")

BUNDLE_PATH = "/api/enforcement/v1/bundle"
EVENTS_PATH = "/api/evidence/v1/events"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


Transport = Callable[[str, str, dict[str, str], bytes | None], Response]


def urllib_transport(method: str, url: str, headers: dict[str, str], body: bytes | None) -> Response:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310  https URL from config
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310
            return Response(reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read())
    except urllib.error.HTTPError as exc:
        return Response(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())


@dataclass
class PortalClient:
    base_url: str
    source_token: str
    transport: Transport = urllib_transport

    def _headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.source_token}", **extra}

    def get_bundle(self, etag: str | None) -> Response:
        headers = self._headers(Accept="application/json")
        if etag:
            headers["If-None-Match"] = etag
        return self.transport("GET", self.base_url.rstrip("/") + BUNDLE_PATH, headers, None)

    def post_events(self, events: list[dict[str, Any]]) -> Response:
        body = gzip.compress(json.dumps(events, separators=(",", ":")).encode())
        headers = self._headers(**{"Content-Type": "application/json", "Content-Encoding": "gzip"})
        return self.transport("POST", self.base_url.rstrip("/") + EVENTS_PATH, headers, body)


@dataclass
class BundleCache:
    """The last good bundle, refreshed at most every `refresh_seconds`, with a copy on local disk.

    The copy (`cache_path`, written atomically after each new revision) lets a restarted gateway enforce the
    last approved policy while the portal is unreachable, instead of having none.
    """

    client: PortalClient
    refresh_seconds: float = 30.0
    cache_path: str | None = None
    clock: Callable[[], float] = time.monotonic
    bundle: Bundle | None = None
    etag: str | None = None
    checked_at: float | None = None
    confirmed_at: float | None = None  # the last time the portal confirmed the bundle (200 or 304)
    last_error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.cache_path and os.path.exists(self.cache_path):
            try:
                with open(self.cache_path, "rb") as handle:
                    self.bundle = load_bundle(handle.read())
                self.etag = f'"{self.bundle.revision}"'
                self.confirmed_at = self.clock()  # as old as this process: its age counts from the restart
            except (OSError, EnforcementError):
                self.bundle = None

    def current(self) -> Bundle:
        """The bundle to enforce; raises EnforcementError only if none was ever loaded."""
        now = self.clock()
        if self.checked_at is None or now - self.checked_at >= self.refresh_seconds:
            with self._lock:
                if self.checked_at is None or now - self.checked_at >= self.refresh_seconds:
                    self._refresh()
                    self.checked_at = now
        if self.bundle is None:
            raise EnforcementError(f"no policy bundle available ({self.last_error or 'not loaded'})")
        return self.bundle

    def age(self) -> float:
        """Seconds since the portal last confirmed the bundle in force."""
        return self.clock() - self.confirmed_at if self.confirmed_at is not None else float("inf")

    def _refresh(self) -> None:
        try:
            reply = self.client.get_bundle(self.etag if self.bundle is not None else None)
        except OSError as exc:  # the portal is unreachable: keep enforcing the last good bundle
            self.last_error = f"portal unreachable: {type(exc).__name__}"
            return
        if reply.status == 304 and self.bundle is not None:
            self.last_error, self.confirmed_at = None, self.clock()
            return
        if reply.status != 200:
            self.last_error = f"portal answered {reply.status}"
            return
        try:
            bundle = load_bundle(reply.body)
        except EnforcementError as exc:
            self.last_error = f"invalid bundle: {exc}"
            return
        etag = reply.headers.get("etag")
        if etag and etag.strip('"') != bundle.revision:
            self.last_error = "the bundle's revision does not match its ETag"
            return
        self.bundle, self.etag, self.last_error, self.confirmed_at = bundle, etag, None, self.clock()
        if self.cache_path:
            self._save(reply.body)

    def _save(self, body: bytes) -> None:
        assert self.cache_path is not None
        try:
            os.makedirs(os.path.dirname(self.cache_path) or ".", exist_ok=True)
            temporary = self.cache_path + ".tmp"
            with open(temporary, "wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.cache_path)
        except OSError as exc:  # enforcement goes on with the bundle in memory
            log.warning("AIMS guardrail: the bundle could not be cached on disk (%s)", type(exc).__name__)


def heartbeat_event(*, node_id: str, counters: dict[str, int]) -> dict[str, Any]:
    """A sign of life with the node's cumulative counters (its `producer_seq` is set by the spool)."""
    return {
        "schema_version": "1.0",
        "kind": "heartbeat",
        "event_id": str(uuid.uuid4()),
        "occurred_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "node_id": node_id,
        "producer_seq": 0,
        "counters": dict(counters),
        "attributes": {},
    }


def open_node_spool(base: str | os.PathLike[str], node_id: str, **options: Any) -> tuple[Spool, str]:
    """The spool of `node_id` under `base`, or of `node_id-2`, `-3`... when another process holds it.

    Each LiteLLM worker process is its own node (its own `producer_seq`), so workers sharing one configured
    node id and spool folder each take the first free sub-folder, and find it again after a restart.
    """
    for index in range(1, 65):
        name = node_id if index == 1 else f"{node_id}-{index}"
        try:
            return Spool(os.path.join(base, name), **options), name
        except SpoolLocked:
            continue
    raise SpoolLocked(f"no free spool folder for node {node_id!r} under {base}")


class EventShipper:
    """Spools every event durably, then uploads the spool in batches with retries and backoff.

    `ship()` returns once the event is on disk. A background thread (`start()`) uploads whatever is spooled,
    backs off exponentially (with jitter, at least the portal's `Retry-After`) while the portal is away or
    refuses, and appends a heartbeat with the cumulative counters every `heartbeat_seconds`. Events leave the
    spool only after a 202; what the portal reports as rejected (invalid) is counted as dropped.
    """

    def __init__(
        self,
        client: PortalClient,
        spool: Spool,
        *,
        node_id: str,
        batch_size: int = 500,
        heartbeat_seconds: float = 60.0,
        flush_seconds: float = 1.0,
        backoff_base: float = 1.0,
        backoff_max: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.client = client
        self.spool = spool
        self.node_id = node_id
        self.batch_size = batch_size
        self.heartbeat_seconds = heartbeat_seconds
        self.flush_seconds = flush_seconds
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.clock = clock
        self.jitter = jitter
        self.failures = 0
        self.retry_at = 0.0
        self.next_heartbeat = clock()  # a heartbeat on start: the portal sees the node come (back) up
        self.last_error: str | None = None
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- producing -------------------------------------------------------------------------------------------

    def ship(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """Write the event to the spool (durable when this returns) and wake the uploader."""
        stored = self.spool.append(event)
        self._wake.set()
        return stored

    def heartbeat(self) -> dict[str, Any] | None:
        return self.ship(heartbeat_event(node_id=self.node_id, counters=self.spool.counters()))

    def pending(self) -> int:
        return self.spool.pending()

    def counters(self) -> dict[str, int]:
        return self.spool.counters()

    # -- uploading -------------------------------------------------------------------------------------------

    def flush(self) -> int:
        """Upload spooled events until none are left or the portal fails; returns how many were stored.

        Safe from any thread. A failure schedules the next attempt (`retry_at`) with exponential backoff.
        """
        stored = 0
        with self._flush_lock:
            size = self.batch_size
            while True:
                batch = self.spool.read_batch(size)
                if not batch.events:
                    if batch.skipped or batch.end != self.spool.cursor:
                        self.spool.ack(batch, sent=0)  # only torn lines left: move past them
                    return stored
                outcome = self._post(batch)
                if outcome == "split":
                    if size > 1:
                        size = max(1, size // 2)
                        continue
                    # A single event the portal never takes: counted as dropped, so the rest can flow.
                    self.spool.ack(batch, sent=0, dropped=len(batch.events))
                    log.error("AIMS evidence: the portal refused an event as malformed; dropped (counted)")
                    continue
                if outcome is None:
                    return stored
                stored += outcome
                self.failures = 0
                self.retry_at = 0.0
                self.last_error = None

    def _post(self, batch: Batch) -> int | str | None:
        try:
            reply = self.client.post_events(batch.events)
        except OSError as exc:
            self._failed(f"portal unreachable: {type(exc).__name__}", None)
            return None
        if reply.status == 202:
            sent, dropped = len(batch.events), 0
            try:
                body = json.loads(reply.body)
                rejected = body.get("rejected") or []
                dropped = len(rejected)
                sent = int(body.get("accepted", 0)) + int(body.get("duplicates", 0))
            except (ValueError, TypeError, AttributeError):
                pass
            if dropped:
                log.error(
                    "AIMS evidence: the portal rejected %d event(s) as invalid; counted as dropped", dropped
                )
            self.spool.ack(batch, sent=sent, dropped=dropped)
            return sent
        if reply.status in (400, 413):
            return "split"  # a smaller batch may pass; a single refused event is dropped
        if reply.status in (401, 403):
            log.error(
                "AIMS evidence: the portal refused the source token (%s); events stay spooled", reply.status
            )
        self._failed(f"portal answered {reply.status}", reply.headers.get("retry-after"))
        return None

    def _failed(self, reason: str, retry_after: str | None) -> None:
        self.failures += 1
        self.last_error = reason
        delay = min(self.backoff_max, self.backoff_base * 2 ** (self.failures - 1))
        delay *= 0.5 + self.jitter() / 2  # replicas coming back together do not hit the portal at once
        with contextlib.suppress(ValueError):
            delay = max(delay, float(retry_after)) if retry_after else delay
        self.retry_at = self.clock() + delay

    # -- the background thread -------------------------------------------------------------------------------

    def tick(self) -> None:
        """One round of the background loop: a heartbeat when due, then an upload unless backing off."""
        now = self.clock()
        if self.heartbeat_seconds > 0 and now >= self.next_heartbeat:
            self.next_heartbeat = now + self.heartbeat_seconds
            self.heartbeat()
        if now >= self.retry_at:
            self.flush()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name=f"aims-shipper-{self.node_id}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # the uploader must outlive any surprise; events stay spooled
                log.exception("AIMS evidence: upload round failed")
            # A shipped event wakes the loop at once; while backing off, `tick` skips the upload.
            self._wake.wait(timeout=self.flush_seconds)
            self._wake.clear()

    def stop(self, *, flush: bool = True) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if flush and self.clock() >= self.retry_at:
            self.flush()
        self.spool.close()
