"""Reading and validating an ingestion request body (DESIGN.md, Evidence contract v1). No database here.

The body is a JSON array or NDJSON, optionally gzip-encoded. It is read as a stream and decompressed under a
cap, so a decompression bomb costs at most the cap in memory. Each item is validated on its own: a bad item
is reported by index and never fails the batch. msgspec does the per-item work because this is the hot path
(a DRF serializer per event measures more than ten times slower; see docs/PERFORMANCE.md).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

import msgspec

MAX_SAFE_INT = 2**53 - 1  # JCS numbers are IEEE doubles; larger integers would not hash reproducibly
READ_CHUNK = 64 * 1024

EventId = Annotated[str, msgspec.Meta(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-]+$")]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]
Key = Annotated[str, msgspec.Meta(max_length=128)]
Count = Annotated[int, msgspec.Meta(ge=0, le=MAX_SAFE_INT)]
Decimal = Annotated[str, msgspec.Meta(max_length=40, pattern=r"^-?\d+(\.\d+)?$")]
Digest = Annotated[str, msgspec.Meta(max_length=128, pattern=r"^[A-Za-z0-9+/=_:\-]+$")]


class _Strict(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    pass


class Actor(_Strict):
    team: ShortText | None = None
    key_alias: ShortText | None = None
    user_ref: ShortText | None = None


class ModelRef(_Strict):
    requested: ShortText | None = None
    used: ShortText | None = None
    provider: ShortText | None = None
    region: ShortText | None = None


class PolicyRef(_Strict):
    bundle: ShortText | None = None
    revision: Annotated[str, msgspec.Meta(max_length=128)] | None = None
    rule_ids: Annotated[list[Key], msgspec.Meta(max_length=100)] = []


class Reason(_Strict):
    code: Key
    rule_id: Key | None = None


class Redaction(_Strict):
    executed: bool
    engine: ShortText | None = None
    counts: dict[Key, Count] = {}


class Metrics(_Strict):
    latency_ms: Annotated[float, msgspec.Meta(ge=0, le=1e9)] | None = None
    prompt_tokens: Count | None = None
    completion_tokens: Count | None = None
    cost: Decimal | None = None


class Counters(_Strict):
    sent: Count
    spooled: Count
    dropped: Count


class DecisionEvent(_Strict, tag_field="kind", tag="decision"):
    schema_version: Literal["1.0"]
    event_id: EventId
    occurred_at: datetime
    node_id: Key
    stage: Literal["pre_call", "post_call", "model_access", "auth"]
    decision: Literal["allow", "redact", "block", "error"]
    fail_mode: Literal["open", "closed"]
    use_case: Key
    producer_seq: Count | None = None
    trace_id: Key | None = None
    actor: Actor | None = None
    model: ModelRef | None = None
    policy: PolicyRef | None = None
    reasons: Annotated[list[Reason], msgspec.Meta(max_length=100)] = []
    redaction: Redaction | None = None
    metrics: Metrics | None = None
    content_digest: Digest | None = None
    attributes: dict[Key, Any] = {}


class HeartbeatEvent(_Strict, tag_field="kind", tag="heartbeat"):
    schema_version: Literal["1.0"]
    event_id: EventId
    occurred_at: datetime
    node_id: Key
    producer_seq: Count
    counters: Counters
    attributes: dict[Key, Any] = {}


_decoder = msgspec.json.Decoder(DecisionEvent | HeartbeatEvent)
_raw_list = msgspec.json.Decoder(list[msgspec.Raw])

# Producers never send prompt or response text (DESIGN.md). These names anywhere in `attributes` mean they did.
RAW_TEXT_KEYS = frozenset(
    {
        "prompt",
        "prompts",
        "response",
        "responses",
        "messages",
        "completion",
        "completions",
        "text",
        "content",
        "input",
        "output",
        "raw",
        "raw_text",
        "body",
        "query",
    }
)
MAX_ATTRIBUTE_STRING = 512  # a longer free-text value in attributes is treated as smuggled content
_NUL_ESCAPE = re.compile(rb"(\\+)u0000")  # JSON has only the lower-case \u escape


class BodyError(Exception):
    """The request as a whole is refused; `status` and `code` feed the error shape."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Limits:
    max_events: int = 1000
    max_bytes: int = 10 * 1024 * 1024
    max_event_bytes: int = 64 * 1024
    retention_days: int = 400
    future_skew: timedelta = timedelta(minutes=5)


@dataclass
class Parsed:
    """Valid items (raw bytes as received, with their index and event id) and per-item rejects."""

    accepted: list[tuple[int, str, bytes, DecisionEvent | HeartbeatEvent]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    in_batch_duplicates: int = 0


def read_body(stream: Any, *, content_length: int | None, gzip: bool, limits: Limits) -> bytes:
    """Read the body in chunks, inflating gzip on the way, never holding more than the cap."""
    if content_length is not None and not gzip and content_length > limits.max_bytes:
        raise BodyError(413, "too_large", f"The body is larger than {limits.max_bytes} bytes.")
    out = bytearray()
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzip else None
    while True:
        chunk = stream.read(READ_CHUNK)
        if not chunk:
            break
        if inflater is None:
            out += chunk
        else:
            try:
                # Ask for at most one byte past the cap: enough to know it was exceeded, never more.
                out += inflater.decompress(chunk, limits.max_bytes + 1 - len(out))
                while inflater.unconsumed_tail and len(out) <= limits.max_bytes:
                    out += inflater.decompress(inflater.unconsumed_tail, limits.max_bytes + 1 - len(out))
            except zlib.error:
                raise BodyError(400, "bad_encoding", "The gzip body is corrupt.") from None
        if len(out) > limits.max_bytes:
            raise BodyError(413, "too_large", f"The decompressed body is larger than {limits.max_bytes} bytes.")
    if inflater is not None and not inflater.eof:
        raise BodyError(400, "bad_encoding", "The gzip body is truncated.")
    return bytes(out)


def split_items(body: bytes, *, ndjson: bool, limits: Limits) -> list[bytes]:
    """The raw bytes of each item, exactly as received."""
    if ndjson:
        items = [line for line in (raw.strip() for raw in body.split(b"\n")) if line]
    else:
        try:
            items = [bytes(raw) for raw in _raw_list.decode(body)]
        except msgspec.DecodeError as exc:
            raise BodyError(400, "parse_error", f"The body is not a JSON array: {exc}") from None
    if not items:
        raise BodyError(400, "parse_error", "The body holds no events.")
    if len(items) > limits.max_events:
        raise BodyError(413, "too_many_events", f"A batch holds at most {limits.max_events} events.")
    return items


def _has_nul(raw: bytes) -> bool:
    if b"\x00" in raw:
        return True
    if b"\\u0000" not in raw:  # the usual case, settled by one C-speed scan
        return False
    # "\u0000" is a NUL only when its backslash is not itself escaped (an odd run of backslashes).
    return any(len(match.group(1)) % 2 == 1 for match in _NUL_ESCAPE.finditer(raw))


def _smuggled_text(value: Any, depth: int = 0) -> str | None:
    if depth > 8:
        return "attributes nest too deeply"
    if isinstance(value, dict):
        for key, inner in value.items():
            if str(key).lower() in RAW_TEXT_KEYS:
                return f"attributes.{key} looks like prompt or response text, which producers must not send"
            found = _smuggled_text(inner, depth + 1)
            if found:
                return found
    elif isinstance(value, list):
        for inner in value:
            found = _smuggled_text(inner, depth + 1)
            if found:
                return found
    elif isinstance(value, str) and len(value) > MAX_ATTRIBUTE_STRING:
        return f"an attribute value is longer than {MAX_ATTRIBUTE_STRING} characters (raw text is not allowed)"
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INT:
        return "an attribute integer is too large to hash reproducibly"
    return None


def _event_id_hint(raw: bytes) -> str | None:
    match = re.search(rb'"event_id"\s*:\s*"([A-Za-z0-9._:\-]{1,128})"', raw)
    return match.group(1).decode() if match else None


def validate_items(items: list[bytes], *, now: datetime, limits: Limits) -> Parsed:
    parsed = Parsed()
    seen: set[str] = set()
    oldest = now - timedelta(days=limits.retention_days)
    newest = now + limits.future_skew
    for index, raw in enumerate(items):
        error = None
        event = None
        if len(raw) > limits.max_event_bytes:
            error = f"the event is larger than {limits.max_event_bytes} bytes"
        elif _has_nul(raw):
            error = "strings must not contain NUL characters"
        else:
            try:
                event = _decoder.decode(raw)
            except msgspec.ValidationError as exc:
                error = str(exc)
            except msgspec.DecodeError as exc:
                error = f"not valid JSON: {exc}"
        if event is not None:
            occurred = event.occurred_at
            if occurred.tzinfo is None:
                error = "occurred_at must carry a time zone (RFC 3339, UTC)"
            elif occurred > newest:
                error = "occurred_at is more than 5 minutes in the future"
            elif occurred < oldest:
                error = f"occurred_at is older than the retention period ({limits.retention_days} days)"
            else:
                error = _smuggled_text(event.attributes)
        if error is not None:
            parsed.rejected.append({"index": index, "event_id": _event_id_hint(raw), "error": error})
            continue
        assert event is not None
        if event.event_id in seen:
            parsed.in_batch_duplicates += 1
            continue
        seen.add(event.event_id)
        parsed.accepted.append((index, event.event_id, raw, event))
    return parsed


def iter_payload(payload: str) -> Iterator[Any]:
    """The items of a stored batch, parsed back into plain JSON values for the envelope."""
    yield from msgspec.json.decode(payload.encode())


def utc_now() -> datetime:
    return datetime.now(UTC)
