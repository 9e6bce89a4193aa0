"""Faults on the real stack: PostgreSQL, Redis, gunicorn and a Celery worker, each a real process.

In every case, each event that was answered 202 is stored exactly once and the chain verifies. These run in
CI's `worker-faults` stage (`-m faults`); the main suite leaves them out.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from evidence.harness import PrivateRedis, Stack, wait_until

pytestmark = pytest.mark.faults


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        if os.environ.get("AIMS_REQUIRE_SERVICES") == "1":
            pytest.fail("fault tests need DATABASE_URL (PostgreSQL)")
        pytest.skip("fault tests need DATABASE_URL (PostgreSQL)")
    stack = Stack(database_url=Stack.fresh_database(base, "aims_faults"))
    stack.redis = PrivateRedis(stack.workdir)
    stack.redis.start()
    stack.redis_url = stack.redis.url
    try:
        stack.migrate()
        stack.start_web()
        stack.start_worker()
        yield stack
    finally:
        stack.close()
        stack.redis.stop()


def events(count: int, tag: str) -> list[dict]:
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    return [
        {
            "schema_version": "1.0",
            "kind": "decision",
            "event_id": f"{tag}-{i}-{uuid.uuid4().hex[:8]}",
            "occurred_at": now,
            "node_id": "gw-1",
            "producer_seq": i,
            "stage": "pre_call",
            "decision": "allow",
            "fail_mode": "closed",
            "use_case": "support-chat",
            "model": {"requested": "gpt-4o-mini"},
            "policy": {"bundle": "b", "revision": "r", "rule_ids": []},
        }
        for i in range(count)
    ]


def body(batch: list[dict]) -> bytes:
    return json.dumps(batch).encode()


def post_until_accepted(stack: Stack, token: str, payload: bytes, attempts: int = 30) -> dict:
    """What a gateway does: retry until the portal answers 202."""
    for _ in range(attempts):
        try:
            status, answer = stack.ingest(token, payload, timeout=30)
        except OSError:
            time.sleep(0.3)
            continue
        if status == 202:
            return answer
        time.sleep(0.3)
    raise AssertionError("the portal never accepted the batch")


def pending(stack: Stack) -> int:
    return stack.query("SELECT count(*) FROM evidence_ingestbatch WHERE status = 'pending'")[0][0]


def assert_exactly_once(stack: Stack, source: str, answered_ids: set[str]) -> None:
    wait_until(lambda: pending(stack) == 0, 120, interval=0.5, what="every batch to be expanded")
    rows = stack.query(
        "SELECT e.event_id FROM evidence_event e JOIN evidence_evidencesource s ON s.id = e.source_id "
        "WHERE s.name = %s",
        (source,),
    )
    stored = [row[0] for row in rows]
    assert len(stored) == len(set(stored)), "an event is stored twice"
    missing = answered_ids - set(stored)
    assert not missing, f"{len(missing)} events answered 202 are not stored"
    verification = stack.verify()
    assert verification.returncode == 0, verification.stdout + verification.stderr


def test_the_worker_killed_mid_batch_loses_and_doubles_nothing(stack: Stack) -> None:
    token = stack.create_source("fault-kill-worker")
    answered: set[str] = set()
    batches = [events(500, f"kw{b}") for b in range(30)]
    for batch in batches:
        status, _ = stack.ingest(token, body(batch))
        assert status == 202
        answered.update(e["event_id"] for e in batch)
    # Kill while expansion is under way: some events written, some batches still waiting.
    wait_until(
        lambda: stack.query("SELECT count(*) FROM evidence_event")[0][0] > 0, 60, interval=0.02, what="expansion"
    )
    waiting = pending(stack)
    stack.kill_worker()
    assert waiting > 0, "the worker finished before it could be killed; the test proved nothing"
    stack.start_worker()
    assert_exactly_once(stack, "fault-kill-worker", answered)


def test_redis_stopped_and_restarted_during_ingestion(stack: Stack) -> None:
    token = stack.create_source("fault-redis")
    answered: set[str] = set()
    statuses: list[int] = []
    stop = threading.Event()

    def gateway() -> None:
        n = 0
        while not stop.is_set():
            batch = events(200, f"rd{n}")
            n += 1
            status, _ = stack.ingest(token, body(batch))
            statuses.append(status)
            if status == 202:
                answered.update(e["event_id"] for e in batch)
            time.sleep(0.05)

    thread = threading.Thread(target=gateway)
    thread.start()
    time.sleep(1.5)
    stack.redis.stop()
    time.sleep(3)
    stack.redis.start()
    time.sleep(2)
    stop.set()
    thread.join(30)
    assert statuses.count(202) >= 10
    assert all(status in {202, 503} for status in statuses), statuses
    # The outage really hit ingestion: batches were stored while their task could not be enqueued.
    assert "could not enqueue batch" in (stack.workdir / "web.log").read_text()
    assert_exactly_once(stack, "fault-redis", answered)


def test_the_same_batch_posted_twice_at_once_is_stored_once(stack: Stack) -> None:
    token = stack.create_source("fault-twice")
    answered: set[str] = set()
    for round_ in range(5):
        batch = events(500, f"tw{round_}")
        payload = body(batch)
        barrier = threading.Barrier(2)
        answers: list[dict] = []

        def send(payload: bytes = payload, barrier: threading.Barrier = barrier, answers: list = answers) -> None:
            barrier.wait()
            status, answer = stack.ingest(token, payload)
            assert status == 202
            answers.append(answer)

        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sum(a["accepted"] for a in answers) == 500
        assert sum(a["duplicates"] for a in answers) == 500
        answered.update(e["event_id"] for e in batch)
    assert_exactly_once(stack, "fault-twice", answered)


def test_the_web_process_killed_mid_request(stack: Stack) -> None:
    token = stack.create_source("fault-kill-web")
    answered: set[str] = set()
    outcomes = []
    for round_, delay in enumerate([0.0, 0.01, 0.03, 0.06, 0.1, 0.2]):
        batch = events(1000, f"kweb{round_}")
        payload = body(batch)
        result: dict = {}

        def send(payload: bytes = payload, result: dict = result) -> None:
            try:
                result["status"], _ = stack.ingest(token, payload, timeout=30)
            except OSError as exc:
                result["error"] = type(exc).__name__

        thread = threading.Thread(target=send)
        thread.start()
        time.sleep(delay)
        stack.kill_web_workers()
        thread.join(60)
        outcomes.append(result)
        wait_until(stack._healthy, 60, what="gunicorn to fork new workers")
        # The gateway did not see a 202 (or did): either way it retries, and the retry settles it.
        final = post_until_accepted(stack, token, payload)
        assert final["accepted"] + final["duplicates"] == 1000
        answered.update(e["event_id"] for e in batch)
    assert any("error" in outcome for outcome in outcomes), f"no request was cut off: {outcomes}"
    assert_exactly_once(stack, "fault-kill-web", answered)


def test_an_unreachable_database_answers_503_with_retry_after() -> None:
    """gunicorn pointed at a port where no PostgreSQL listens: the gateway is told to come back later."""
    from evidence.harness import free_port

    with Stack(database_url=f"postgres://postgres@127.0.0.1:{free_port()}/nowhere", web_workers=1) as down:
        down.start_web(wait_healthy=False)
        status, answer = down.ingest("aims_src_anything", body(events(2, "down")))
        assert status == 503
        assert answer["error"]["code"] == "unavailable"
        assert int(down.last_headers["Retry-After"]) > 0
        health, _ = down.request("GET", "/healthz")
        assert health == 503
