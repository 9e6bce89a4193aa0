"""End to end: a real LiteLLM proxy with the AIMS guardrail, in front of a model, reporting to the real portal.

Run by `.ci/gateway.sh` (`gateway_stage`), which makes the gateway venv, a fresh PostgreSQL database, seeds it
(`seed_portal.py`) and passes the facts in AIMS_GW_* variables. Here the test starts and stops the portal
(gunicorn, Celery tasks inline), the fake model (`fake_upstream.py`) and the proxy, all on 127.0.0.1, and
checks what the model received and what the portal stored, including across a portal outage.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

if not os.environ.get("AIMS_GW_SEED"):
    pytest.skip("the gateway stage (.ci/gateway.sh) runs these tests", allow_module_level=True)

sys.path.insert(0, str(Path(__file__).parent))
from fake_upstream import FakeModel

HERE = Path(__file__).parent
SEED: dict[str, str] = json.loads(Path(os.environ["AIMS_GW_SEED"]).read_text())
REPO = Path(os.environ["AIMS_GW_REPO"])
WORK = Path(os.environ["AIMS_GW_WORKDIR"])
NODE = "gw-ci"
USE_CASE = "support-summaries"
MASTER_KEY = "sk-gateway-ci-" + os.urandom(12).hex()
EMAIL = "jane.doe@example.com"
PHONE = "+44 20 7946 0958"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            result = check()
            if result:
                return result
        time.sleep(0.25)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


def http(method: str, url: str, *, headers: dict[str, str], body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310  loopback
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:  # noqa: S310
            raw = reply.read()
            return reply.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, raw.decode(errors="replace")


class Process:
    """A server process of its own session, stopped with its children."""

    def __init__(self, name: str, command: list[str], *, cwd: Path, env: dict[str, str]) -> None:
        self.name, self.command, self.cwd, self.env = name, command, cwd, env
        self.log = WORK / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        handle = open(self.log, "ab")  # noqa: SIM115  owned by the child
        self.popen = subprocess.Popen(
            self.command, cwd=self.cwd, env=self.env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=10)
        self.popen = None

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


class Stack:
    def __init__(self) -> None:
        self.model = FakeModel()
        self.portal_port, self.proxy_port = free_port(), free_port()
        self.portal_url = f"http://127.0.0.1:{self.portal_port}"
        self.proxy_url = f"http://127.0.0.1:{self.proxy_port}"
        self.spool = WORK / "spool"
        portal_env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_URL"}}
        # No broker: the portal expands each batch in the request's on-commit hook (eager Celery).
        portal_env.update(DATABASE_URL=os.environ["AIMS_GW_DATABASE_URL"], AIMS_VAR_DIR=str(WORK / "var"))
        self.portal = Process(
            "portal",
            [
                os.environ["AIMS_GW_PORTAL_PYTHON"],
                "-m",
                "gunicorn",
                "aims.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.portal_port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--timeout",
                "60",
            ],
            cwd=REPO,
            env=portal_env,
        )
        proxy_env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL"))}
        proxy_env.update(
            LITELLM_MASTER_KEY=MASTER_KEY,
            LITELLM_LOCAL_MODEL_COST_MAP="True",
            AIMS_PORTAL_URL=self.portal_url,
            AIMS_SOURCE_TOKEN=SEED["source_token"],
            AIMS_SPOOL_DIR=str(self.spool),
            AIMS_NODE_ID=NODE,
            AIMS_HASH_KEY="gateway-ci-hash-key-" + os.urandom(8).hex(),
            AIMS_BUNDLE_REFRESH_SECONDS="1",
            AIMS_HEARTBEAT_SECONDS="3",
            AIMS_UPLOAD_BACKOFF_MAX_SECONDS="2",
            AIMS_CI_UPSTREAM=f"http://127.0.0.1:{self.model.port}/v1",
            AIMS_CI_DOWN_UPSTREAM=f"http://127.0.0.1:{free_port()}/v1",
        )
        self.proxy = Process(
            "proxy",
            [
                os.environ["AIMS_GW_LITELLM"],
                "--config",
                str(HERE / "config.yaml"),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.proxy_port),
            ],
            cwd=WORK,
            env=proxy_env,
        )

    def start_portal(self) -> None:
        self.portal.start()
        headers = {"Authorization": f"Bearer {SEED['source_token']}"}
        try:
            wait_until(
                lambda: http("GET", self.portal_url + "/api/enforcement/v1/bundle", headers=headers)[0] == 200,
                90,
                "the portal to serve the bundle",
            )
        except AssertionError:
            raise AssertionError(self.portal.tail()) from None

    def start(self) -> None:
        self.model.start()
        self.start_portal()
        self.proxy.start()
        try:
            wait_until(
                lambda: http("GET", self.proxy_url + "/health/liveliness", headers={})[0] == 200,
                150,
                "the LiteLLM proxy to start",
            )
        except AssertionError:
            raise AssertionError(self.proxy.tail()) from None

    def stop(self) -> None:
        self.proxy.stop()
        self.portal.stop()
        self.model.stop()

    def chat(self, text: str, *, trace: str, model: str = "gpt-4o-mini") -> tuple[int, Any]:
        body = {
            "model": model,
            "messages": [{"role": "user", "content": text}],
            "metadata": {"aims_use_case": USE_CASE, "trace_id": trace},
        }
        headers = {"Authorization": f"Bearer {MASTER_KEY}", "Content-Type": "application/json"}
        return http("POST", self.proxy_url + "/chat/completions", headers=headers, body=body)

    def stored_events(self) -> list[dict[str, Any]]:
        """The source's events as the portal stores them (the event inside each hashed envelope)."""
        url = f"{self.portal_url}/api/v1/evidence/events/?source={SEED['source']}&page_size=500"
        status, body = http("GET", url, headers={"Authorization": f"Token {SEED['api_token']}"})
        assert status == 200, body
        return [json.loads(row["canonical"])["event"] for row in body["results"]]

    def bundle(self) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {SEED['source_token']}"}
        status, body = http("GET", self.portal_url + "/api/enforcement/v1/bundle", headers=headers)
        assert status == 200
        return body


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    running = Stack()
    try:
        running.start()
        yield running
    finally:
        running.stop()


SENT: dict[str, str] = {}  # trace id -> the decision the guardrail must record for it


def events_by_trace(stack: Stack, traces: set[str], seconds: float = 60) -> dict[str, list[dict[str, Any]]]:
    def arrived() -> dict[str, list[dict[str, Any]]] | None:
        found: dict[str, list[dict[str, Any]]] = {}
        for event in stack.stored_events():
            if event.get("trace_id") in traces:
                found.setdefault(event["trace_id"], []).append(event)
        return found if set(found) == traces else None

    return wait_until(arrived, seconds, f"{len(traces)} traced events at the portal")


def test_personal_data_reaches_the_model_redacted(stack: Stack) -> None:
    status, body = stack.chat(f"Please mail {EMAIL} or call {PHONE} about the refund.", trace="ci-redact")
    assert status == 200, body
    assert body["choices"][0]["message"]["content"] == "Noted."
    [received] = stack.model.texts()
    assert EMAIL not in received and PHONE not in received
    assert "<EMAIL_ADDRESS>" in received and "about the refund" in received
    SENT["ci-redact"] = "redact"


def test_an_unapproved_model_is_refused_before_any_model_answers(stack: Stack) -> None:
    status, body = stack.chat("Summarise the ticket.", trace="ci-unapproved", model="gpt-unapproved")
    assert status == 400
    assert "model_not_allowed" in json.dumps(body)
    assert "not approved for any use case" not in json.dumps(body)  # the mock model never answered
    SENT["ci-unapproved"] = "block"


def test_a_card_number_blocks_the_request_and_nothing_reaches_the_model(stack: Stack) -> None:
    before = len(stack.model.texts())
    status, body = stack.chat("Charge card 4111 1111 1111 1111 today.", trace="ci-card")
    assert status == 400 and "pii_blocked" in json.dumps(body)
    assert "4111" not in json.dumps(body)
    assert len(stack.model.texts()) == before
    SENT["ci-card"] = "block"


def test_a_failed_model_call_is_recorded_after_the_allowed_decision(stack: Stack) -> None:
    status, _ = stack.chat("Summarise the ticket.", trace="ci-down", model="gpt-4o-mini-down")
    assert status >= 500 or status == 404
    events = events_by_trace(stack, {"ci-down"})["ci-down"]
    assert sorted((e["stage"], e["decision"]) for e in events) == [("post_call", "error"), ("pre_call", "allow")]
    [post] = [e for e in events if e["stage"] == "post_call"]
    assert post["reasons"] == [{"code": "model_call_failed", "rule_id": None}] and post["fail_mode"] == "closed"


def test_the_portal_holds_each_decision_with_its_revision_and_rule_ids(stack: Stack) -> None:
    rules = stack.bundle()["use_cases"][USE_CASE]["rules"]
    found = events_by_trace(stack, set(SENT))
    for trace, decision in SENT.items():
        [event] = found[trace]
        assert event["decision"] == decision and event["stage"] == "pre_call"
        assert event["node_id"] == NODE and event["use_case"] == USE_CASE
        assert event["policy"]["revision"] == SEED["revision"]
        assert event["policy"]["rule_ids"] == rules
    assert {r["code"] for r in found["ci-redact"][0]["reasons"]} == {"pii_redacted"}
    assert found["ci-redact"][0]["redaction"]["counts"] == {"EMAIL_ADDRESS": 1, "PHONE_NUMBER": 1}
    assert found["ci-unapproved"][0]["reasons"] == [{"code": "model_not_allowed", "rule_id": "R-MODEL"}]
    stored = json.dumps(stack.stored_events())
    assert EMAIL not in stored and "4111 1111" not in stored  # no text in the evidence


def test_decisions_made_while_the_portal_is_down_arrive_once_it_is_back_none_lost_none_twice(stack: Stack) -> None:
    stack.portal.stop()
    outage: dict[str, str] = {}
    for n in range(12):
        trace = f"ci-outage-{n}"
        if n % 3 == 0:
            status, _ = stack.chat(f"Ticket {n}: mail {EMAIL}", trace=trace)
            assert status == 200
            outage[trace] = "redact"
        elif n % 3 == 1:
            status, _ = stack.chat(f"Ticket {n}: summarise it", trace=trace)
            assert status == 200
            outage[trace] = "allow"
        else:
            status, _ = stack.chat(f"Ticket {n}", trace=trace, model="gpt-unapproved")
            assert status == 400
            outage[trace] = "block"
    assert all(EMAIL not in text for text in stack.model.texts())  # the copy of the bundle kept enforcing
    spooled = b"".join(p.read_bytes() for p in (stack.spool / NODE / "segments").glob("*.ndjson"))
    assert all(trace.encode() in spooled for trace in outage)  # on disk while the portal is away
    time.sleep(3)  # retries and a heartbeat happen while the portal is down

    stack.start_portal()
    found = events_by_trace(stack, set(outage) | set(SENT), seconds=90)
    for trace, decision in outage.items():
        assert [e["decision"] for e in found[trace]] == [decision]  # exactly one event per decision

    events = stack.stored_events()
    ids = [e["event_id"] for e in events]
    assert len(ids) == len(set(ids))
    per_trace = Counter(e.get("trace_id") for e in events if e["kind"] == "decision")
    assert all(per_trace[t] == 1 for t in [*outage, *SENT])
    # Every event of the node went through its spool: the sequence has no hole and no repeat.
    seqs = sorted(e["producer_seq"] for e in events if e["node_id"] == NODE)
    assert seqs == list(range(1, len(seqs) + 1))
    # Every answered request was decided by the guardrail: the logger found no model access without a decision.
    assert not [e for e in events if e.get("stage") == "model_access"]
    beats = [e for e in events if e["kind"] == "heartbeat"]
    assert beats and max(b["counters"]["sent"] for b in beats) > 0
    state = json.loads((stack.spool / NODE / "state.json").read_text())
    assert state["dropped"] == 0


def test_the_example_configuration_registers_the_guardrail_on_mock_models() -> None:
    import yaml  # LiteLLM's proxy depends on PyYAML

    config = yaml.safe_load((REPO / "examples" / "litellm" / "config.yaml").read_text())
    [guard] = config["guardrails"]
    params = guard["litellm_params"]
    assert params["guardrail"] == "enforcement.litellm.AimsGuardrail"
    assert params["mode"] == "pre_call" and params["default_on"] is True
    assert all("mock_response" in m["litellm_params"] for m in config["model_list"])
    module, _, name = params["guardrail"].rpartition(".")
    assert getattr(__import__(module, fromlist=[name]), name).__name__ == "AimsGuardrail"
