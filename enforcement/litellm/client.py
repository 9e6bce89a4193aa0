"""Talking to the AIMS portal with the standard library only: pull the bundle, push events.

The gateway holds a source token (`Authorization: Bearer`). The bundle is fetched with `If-None-Match`, so an
unchanged bundle costs a 304; a changed one is validated (`load_bundle`) and its revision checked against
the ETag before it replaces the last good one. Network failures keep the last good bundle: enforcement
continues with the policy it has rather than failing every request.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from enforcement.bundle import Bundle, load_bundle
from enforcement.errors import EnforcementError

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
    """The last good bundle, refreshed at most every `refresh_seconds`."""

    client: PortalClient
    refresh_seconds: float = 30.0
    clock: Callable[[], float] = time.monotonic
    bundle: Bundle | None = None
    etag: str | None = None
    checked_at: float | None = None
    last_error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

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

    def _refresh(self) -> None:
        try:
            reply = self.client.get_bundle(self.etag if self.bundle is not None else None)
        except OSError as exc:  # the portal is unreachable: keep enforcing the last good bundle
            self.last_error = f"portal unreachable: {type(exc).__name__}"
            return
        if reply.status == 304:
            self.last_error = None
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
        self.bundle, self.etag, self.last_error = bundle, etag, None


@dataclass
class EventShipper:
    """Buffers events and posts them in batches; a failed batch stays buffered (bounded) until the next."""

    client: PortalClient
    max_buffer: int = 10_000
    batch_size: int = 500
    dropped: int = 0
    _buffer: deque[dict[str, Any]] = field(default_factory=deque, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def ship(self, event: dict[str, Any]) -> None:
        with self._lock:
            if len(self._buffer) >= self.max_buffer:
                self._buffer.popleft()
                self.dropped += 1  # the portal's continuity checks see it as a sequence gap
            self._buffer.append(event)

    def pending(self) -> int:
        return len(self._buffer)

    def flush(self) -> int:
        """Post buffered events; returns how many the portal took (202). Safe to call from any thread."""
        sent = 0
        while True:
            with self._lock:
                batch = [self._buffer[i] for i in range(min(self.batch_size, len(self._buffer)))]
            if not batch:
                return sent
            try:
                reply = self.client.post_events(batch)
            except OSError:
                return sent
            if reply.status != 202:
                return sent  # retried on the next flush; the portal dedupes by event id
            with self._lock:
                for _ in batch:
                    self._buffer.popleft()
            sent += len(batch)
