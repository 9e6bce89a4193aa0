"""The LiteLLM guardrail: decide each request with the approved bundle before it reaches the model, and record
every decision as operating evidence.

Which use case a request belongs to, first match wins:
1. the key's metadata `aims_use_case`, 2. the key's team's metadata `aims_use_case` (both set by an
administrator, so a caller cannot pick a laxer use case), 3. the request's `metadata.aims_use_case`,
4. the `x-aims-use-case` header LiteLLM passes through. A request naming none is decided as the empty use
case, which the bundle blocks as `unknown_use_case`.

Every text part of every message is decided on its own (so redaction keeps the message structure); the
request's single decision event takes the most severe outcome, the reasons of all parts and the summed
entity counts. No text ever enters an event or a log line.

Hooks (LiteLLM `CustomGuardrail`, itself a `CustomLogger`, so the proxy calls both kinds):
- `async_pre_call_hook` (mode `pre_call`): decide, rewrite or refuse; one `pre_call` event per request, blocks
  included, written to the spool before the hook returns.
- `async_log_failure_event`: a request this guardrail let through whose model call then failed gets a
  `post_call` event (decision `error`, reason `model_call_failed`, fail mode `closed`: nothing came back).
- `async_log_success_event`: a model answer for a request this guardrail never decided (the guardrail
  disabled or skipped for it) gets a `model_access` event (decision `error`, reason `no_policy_decision`, fail
  mode `open`), so a bypass shows in the fail-open count instead of going unseen.
"""

from __future__ import annotations

import asyncio
import atexit
import dataclasses
import hashlib
import hmac
import logging
import os
import re
import tempfile
import threading
import time
import uuid
from collections import Counter
from typing import Any

from enforcement.bundle import Bundle
from enforcement.engine import Decision, Redaction, decide, fail_mode_for
from enforcement.errors import EnforcementError
from enforcement.events import decision_event, error_event

from .client import BundleCache, EventShipper, PortalClient, open_node_spool

try:  # LiteLLM is the host; without it the class still imports, for tests and for other hosts
    from litellm.integrations.custom_guardrail import CustomGuardrail as _Base  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the environment

    class _Base:  # type: ignore[no-redef]
        def __init__(self, **kwargs: Any) -> None:
            self.optional_params = kwargs


log = logging.getLogger("enforcement.litellm")

SEVERITY = {"allow": 0, "redact": 1, "block": 2}
ENGINE = "aims-enforcement"
MARK = "aims_decision"  # request metadata key: this guardrail decided the request (decision, trace id)
COMPLETION_CALLS = {"completion", "acompletion", "text_completion", "atext_completion"}


class AimsBlocked(Exception):
    """Raised to make LiteLLM refuse the request; the message names reason codes only, never content."""

    status_code = 400

    def __init__(self, codes: list[str]) -> None:
        self.message = f"Blocked by the AIMS policy: {', '.join(codes) or 'policy unavailable'}"
        super().__init__(self.message)
        self.codes = codes


_TRACE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def _clean(value: Any, limit: int) -> str:
    """A caller-supplied name fit for an event: the contract refuses NULs and long strings, and a refused
    event would be evidence lost, so the value is cut and control characters dropped instead."""
    text = value if isinstance(value, str) else ""
    return "".join(ch for ch in text if ch.isprintable())[:limit]


def _metadata_value(source: Any, name: str) -> str | None:
    value = source.get(name) if isinstance(source, dict) else None
    return value if isinstance(value, str) and value else None


def _use_case(data: dict[str, Any], key: Any) -> str:
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    headers = metadata.get("headers") if isinstance(metadata.get("headers"), dict) else {}
    for source, name in (
        (getattr(key, "metadata", None), "aims_use_case"),
        (getattr(key, "team_metadata", None), "aims_use_case"),
        (metadata, "aims_use_case"),
        (headers, "x-aims-use-case"),
    ):
        value = _metadata_value(source, name)
        if value:
            return value
    return ""


def _text_slots(data: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """(container, key) of every text in the messages: a string content, or a `text` part of a list."""
    slots = []
    for message in data.get("messages") or []:
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if isinstance(content, str):
            slots.append((message, "content"))
        elif isinstance(content, list):
            slots.extend(
                (part, "text")
                for part in content
                if isinstance(part, dict) and isinstance(part.get("text"), str)
            )
    if isinstance(data.get("prompt"), str):  # text completions
        slots.append((data, "prompt"))
    return slots


def combine(results: list[Decision]) -> Decision:
    """One decision for the request: the most severe part, all reasons once, entity counts summed."""
    worst = max(results, key=lambda r: SEVERITY[r.decision])
    reasons = list(dict.fromkeys(reason for r in results for reason in r.reasons))
    counts: Counter[str] = Counter()
    for r in results:
        counts.update(r.redaction.counts)
    executed = any(r.redaction.executed for r in results)
    redaction = Redaction(executed=executed, engine=worst.redaction.engine, counts=dict(counts))
    return dataclasses.replace(worst, reasons=tuple(reasons), redaction=redaction)


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number") from None


_shippers: dict[tuple[str, str], EventShipper] = {}
_shippers_lock = threading.Lock()


def shared_shipper(
    client: PortalClient, *, spool_dir: str, node_id: str, heartbeat_seconds: float
) -> EventShipper:
    """One spool and uploader per process and node: LiteLLM may build the guardrail more than once."""
    with _shippers_lock:
        key = (os.path.abspath(spool_dir), node_id)
        shipper = _shippers.get(key)
        if shipper is None:
            spool, name = open_node_spool(spool_dir, node_id)
            shipper = EventShipper(
                client,
                spool,
                node_id=name,
                heartbeat_seconds=heartbeat_seconds,
                backoff_max=_env_float("AIMS_UPLOAD_BACKOFF_MAX_SECONDS", 60.0),
            )
            shipper.start()
            atexit.register(shipper.stop)
            _shippers[key] = shipper
        return shipper


class AimsGuardrail(_Base):
    """Applies the AIMS policy bundle in the LiteLLM proxy and records each decision (see the module doc)."""

    def __init__(
        self,
        portal_url: str | None = None,
        source_token: str | None = None,
        hash_key: str | None = None,
        node_id: str | None = None,
        spool_dir: str | None = None,
        refresh_seconds: float | None = None,
        heartbeat_seconds: float | None = None,
        max_bundle_age_seconds: float | None = None,
        no_bundle_fail_mode: str | None = None,
        client: PortalClient | None = None,
        shipper: EventShipper | None = None,
        **kwargs: Any,
    ) -> None:
        client = client or PortalClient(
            base_url=portal_url or os.environ["AIMS_PORTAL_URL"],
            source_token=source_token or os.environ["AIMS_SOURCE_TOKEN"],
        )
        spool_dir = (
            spool_dir or os.environ.get("AIMS_SPOOL_DIR") or os.path.join(tempfile.gettempdir(), "aims-spool")
        )
        node = node_id or os.environ.get("AIMS_NODE_ID") or "litellm"
        self.bundles = BundleCache(
            client,
            refresh_seconds=refresh_seconds or _env_float("AIMS_BUNDLE_REFRESH_SECONDS", 30.0),
            cache_path=os.path.join(spool_dir, "bundle.json"),
        )
        self.events = shipper or shared_shipper(
            client,
            spool_dir=spool_dir,
            node_id=node,
            heartbeat_seconds=heartbeat_seconds or _env_float("AIMS_HEARTBEAT_SECONDS", 60.0),
        )
        self.node_id = self.events.node_id
        self.hash_key = hash_key or os.environ.get("AIMS_HASH_KEY")
        self.max_bundle_age = max_bundle_age_seconds or _env_float("AIMS_BUNDLE_MAX_AGE_SECONDS", 0.0)
        self.no_bundle_fail_mode = (
            no_bundle_fail_mode or os.environ.get("AIMS_NO_BUNDLE_FAIL_MODE") or "closed"
        )
        if self.no_bundle_fail_mode not in ("open", "closed"):
            raise ValueError("AIMS_NO_BUNDLE_FAIL_MODE must be 'open' or 'closed'")
        super().__init__(**kwargs)

    # -- deciding --------------------------------------------------------------------------------------------

    def _actor(self, key: Any) -> dict[str, str | None]:
        user = getattr(key, "user_id", None)
        user_ref = None
        if isinstance(user, str) and user:
            # A pseudonym: stable per deployment, not reversible without the key (never the user id itself).
            secret = (self.hash_key or "aims-user-ref").encode()
            user_ref = hmac.new(secret, user.encode(), hashlib.sha256).hexdigest()[:24]
        team = getattr(key, "team_alias", None) or getattr(key, "team_id", None)
        alias = getattr(key, "key_alias", None)
        return {
            "team": _clean(team, 200) or None,
            "key_alias": _clean(alias, 200) or None,
            "user_ref": user_ref,
        }

    def _failed(
        self,
        *,
        data: dict[str, Any],
        bundle: Bundle | None,
        use_case: str,
        model: str,
        trace_id: str,
        actor: dict[str, str | None],
        reason: str,
        fail_mode: str,
        stage: str = "pre_call",
    ) -> dict[str, Any]:
        """Record a request the guardrail could not decide, and apply the fail mode (closed: refuse)."""
        self.events.ship(
            error_event(
                fail_mode=fail_mode,
                use_case=use_case,
                bundle=bundle.name if bundle else "",
                revision=bundle.revision if bundle else "",
                engine=ENGINE,
                stage=stage,
                node_id=self.node_id,
                trace_id=trace_id,
                model_requested=_clean(model, 200),
                reason_code=reason,
                actor=actor,
            )
        )
        if fail_mode == "closed":
            raise AimsBlocked([reason])
        log.warning("AIMS guardrail: %s; failing open for use case %r", reason, use_case)
        self._mark(data, "error", trace_id, use_case)
        return data

    @staticmethod
    def _mark(data: dict[str, Any], decision: str, trace_id: str, use_case: str) -> None:
        metadata = data.setdefault("metadata", {})
        if isinstance(metadata, dict):
            metadata[MARK] = {"decision": decision, "trace_id": trace_id, "use_case": use_case}

    def decide_request(self, data: dict[str, Any], key: Any = None) -> dict[str, Any]:
        """Decide and rewrite `data` in place (synchronous core of the hook); raises AimsBlocked to refuse."""
        started = time.perf_counter()
        use_case, model = _use_case(data, key), str(data.get("model") or "")
        if _clean(use_case, 128) != use_case:
            use_case = ""  # not a register key: decided (and recorded) as an unknown use case
        metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        trace = metadata.get("trace_id")
        if not (isinstance(trace, str) and _TRACE_ID.match(trace)):
            trace = data.get("litellm_call_id") or uuid.uuid4().hex
        trace_id = _clean(str(trace), 128)
        actor = self._actor(key)
        context = {"data": data, "use_case": use_case, "model": model, "trace_id": trace_id, "actor": actor}
        try:
            bundle = self.bundles.current()
        except EnforcementError:  # no policy was ever loaded, from the portal or the local copy
            return self._failed(
                bundle=None, reason="policy_unavailable", fail_mode=self.no_bundle_fail_mode, **context
            )
        if self.max_bundle_age and self.bundles.age() > self.max_bundle_age:
            # The portal has been unreachable too long to trust the copy: the use case's fail mode decides.
            return self._failed(
                bundle=bundle, reason="policy_stale", fail_mode=fail_mode_for(bundle, use_case), **context
            )
        slots = _text_slots(data)
        try:
            results = [
                decide(bundle, use_case=use_case, model=model, text=c[k], hash_key=self.hash_key)
                for c, k in slots
            ] or [decide(bundle, use_case=use_case, model=model, text="", hash_key=self.hash_key)]
        except EnforcementError:
            return self._failed(
                bundle=bundle, reason="engine_error", fail_mode=fail_mode_for(bundle, use_case), **context
            )
        result = combine(results)
        self.events.ship(
            decision_event(
                result,
                stage="pre_call",
                node_id=self.node_id,
                trace_id=trace_id,
                model_requested=_clean(model, 200),
                actor=actor,
                latency_ms=round((time.perf_counter() - started) * 1000, 3),
            )
        )
        if result.decision == "block":
            raise AimsBlocked([r.code for r in result.reasons])
        for (container, key_name), part in zip(slots, results, strict=True):
            if part.text is not None:
                container[key_name] = part.text
        self._mark(data, result.decision, trace_id, use_case)
        return data

    async def async_pre_call_hook(
        self, user_api_key_dict: Any, cache: Any, data: dict, call_type: str
    ) -> dict:
        """LiteLLM's pre-call hook: runs before the model is called; may rewrite or refuse the request."""
        if call_type not in COMPLETION_CALLS:
            return data
        # The bundle refresh may touch the network and the spool fsyncs: keep both off the event loop.
        return await asyncio.to_thread(self.decide_request, data, user_api_key_dict)

    # -- after the call --------------------------------------------------------------------------------------

    @staticmethod
    def _call_facts(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(our mark or {}, the request metadata) from LiteLLM's logging kwargs."""
        params = kwargs.get("litellm_params") if isinstance(kwargs.get("litellm_params"), dict) else {}
        for metadata in (params.get("metadata"), kwargs.get("metadata")):
            if isinstance(metadata, dict):
                mark = metadata.get(MARK)
                return (mark if isinstance(mark, dict) else {}), metadata
        return {}, {}

    def record_call_outcome(self, kwargs: dict[str, Any], *, success: bool) -> dict[str, Any] | None:
        """The post-call evidence for one finished model call (see the module doc); None when none is due."""
        if kwargs.get("call_type") not in COMPLETION_CALLS:
            return None
        mark, metadata = self._call_facts(kwargs)
        model = _clean(kwargs.get("model"), 200)
        bundle = self.bundles.bundle
        name, revision = (bundle.name, bundle.revision) if bundle else ("", "")
        if success and not mark:
            stage, reason, fail_mode, trace_id = "model_access", "no_policy_decision", "open", None
            use_case = _clean(_metadata_value(metadata, "aims_use_case"), 128)
        elif not success and mark.get("decision") in ("allow", "redact", "error"):
            stage, reason, fail_mode = "post_call", "model_call_failed", "closed"
            use_case, trace_id = str(mark.get("use_case") or ""), mark.get("trace_id")
        else:
            return (
                None  # decided and answered (the pre-call event says it all), or blocked (already recorded)
            )
        return self.events.ship(
            error_event(
                fail_mode=fail_mode,
                use_case=use_case,
                bundle=name,
                revision=revision,
                engine=ENGINE,
                stage=stage,
                node_id=self.node_id,
                trace_id=str(trace_id or kwargs.get("litellm_call_id") or uuid.uuid4().hex)[:128],
                model_requested=model,
                reason_code=reason,
            )
        )

    async def async_log_success_event(
        self, kwargs: dict, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        await asyncio.to_thread(self._record_safely, kwargs, True)

    async def async_log_failure_event(
        self, kwargs: dict, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        await asyncio.to_thread(self._record_safely, kwargs, False)

    def _record_safely(self, kwargs: dict[str, Any], success: bool) -> None:
        try:
            self.record_call_outcome(kwargs, success=success)
        except Exception as exc:  # a logging callback must never fail the proxy's request handling
            log.error("AIMS guardrail: post-call evidence not recorded (%s)", type(exc).__name__)
