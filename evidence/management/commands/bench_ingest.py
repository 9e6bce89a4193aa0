"""manage.py bench_ingest --events N [--sources K] [--url URL --tokens T1,T2 --database-url URL]

Measures the evidence ingestion path end to end. By default it starts its own gunicorn, Celery worker and
Redis on a fresh PostgreSQL database next to the configured one (evidence.harness), so the figures include
the web process, the worker and the database sharing the machine. It prints `name: value` lines:

- ingest_events_per_s: events accepted and expanded (queryable in the chain), from first post to last event;
- first_delivery_accept_events_per_s and redelivery_events_per_s: the same batches posted again, all
  duplicates, and redelivery_slowdown (first delivery's accept rate over redelivery's; target <= 1.1);
- processed_p95_s: from the batch's 202 to its events being queryable, at 80% of the measured maximum;
- naive_events_per_s: a plain DRF ModelSerializer with one save() per event, in the same run; and ratio.
"""

from __future__ import annotations

import json
import math
import queue
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from evidence.harness import PrivateRedis, Stack, wait_until

BATCH = 500


def make_batches(total: int, tokens: list[str], tag: str) -> list[tuple[str, bytes, int]]:
    """Pre-built request bodies (token, body, event count), round-robin over the sources."""
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    batches = []
    count = math.ceil(total / BATCH)
    for b in range(count):
        size = min(BATCH, total - b * BATCH)
        events = [
            {
                "schema_version": "1.0",
                "kind": "decision",
                "event_id": f"{tag}-{b}-{i}-{uuid.uuid4().hex[:10]}",
                "occurred_at": now,
                "node_id": f"gw-{b % 3}",
                "producer_seq": b * BATCH + i,
                "trace_id": uuid.uuid4().hex,
                "stage": "pre_call",
                "decision": ("allow", "redact", "block")[i % 3],
                "fail_mode": "closed",
                "use_case": ("support-chat", "credit-scoring", "code-assist")[i % 3],
                "actor": {"team": "support", "key_alias": "bot", "user_ref": f"u-{i % 97}"},
                "model": {"requested": "gpt-4o-mini", "used": "gpt-4o-mini", "provider": "openai", "region": "eu"},
                "policy": {"bundle": "northwind", "revision": "ab" * 32, "rule_ids": ["pii.redact"]},
                "reasons": [{"code": "pii_redacted", "rule_id": "pii.redact"}],
                "redaction": {"executed": True, "engine": "aims-enforcement/0.1.0", "counts": {"EMAIL_ADDRESS": 1}},
                "metrics": {"latency_ms": 2.5, "prompt_tokens": 120, "completion_tokens": 80, "cost": "0.00042"},
            }
            for i in range(size)
        ]
        batches.append((tokens[b % len(tokens)], json.dumps(events).encode(), size))
    return batches


class Command(BaseCommand):
    help = "Benchmark evidence ingestion against its own gunicorn + Celery stack (or a running deployment)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=100_000)
        parser.add_argument("--sources", type=int, default=4)
        parser.add_argument("--clients", type=int, default=8, help="Concurrent posting connections.")
        parser.add_argument("--web-workers", type=int, default=3)
        parser.add_argument("--celery-concurrency", type=int, default=2)
        parser.add_argument("--naive-events", type=int, default=5_000, help="Events for the naive comparison.")
        parser.add_argument("--steady-seconds", type=float, default=20.0, help="Length of the p95 run.")
        parser.add_argument("--url", help="Aim at a running deployment instead (with --tokens).")
        parser.add_argument("--tokens", help="Comma-separated source tokens for --url.")
        parser.add_argument("--database-url", help="With --url: the deployment's database, to see expansion.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["events"] < BATCH:
            raise CommandError(f"--events must be at least {BATCH}.")
        if options["url"]:
            raise CommandError("--url mode needs a deployment's tokens and database; see docs/PERFORMANCE.md.")
        base = settings.DATABASES["default"]
        if base["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("Recorded figures need PostgreSQL: set DATABASE_URL=postgres://...")
        base_url = settings.DATABASE_URL
        stack = Stack(
            database_url=Stack.fresh_database(base_url, "aims_bench"),
            web_workers=options["web_workers"],
            celery_concurrency=options["celery_concurrency"],
            extra_env={"AIMS_BENCH_ENDPOINTS": "1", "AIMS_INGEST_MAX_BACKLOG": "100000"},
        )
        redis = PrivateRedis(stack.workdir)
        redis.start()
        stack.redis_url = redis.url
        try:
            stack.migrate()
            # The benchmark measures the path, not the per-source limit: raise the limit out of the way.
            tokens = [stack.create_source(f"bench-{i}", rate_per_minute=10**9) for i in range(options["sources"])]
            naive_token = stack.create_source("bench-naive", rate_per_minute=10**9)
            stack.start_web()
            stack.start_worker()
            self._run(stack, tokens, naive_token, options)
        finally:
            stack.close()
            redis.stop()

    # --- phases -------------------------------------------------------------------------------------------
    def _post_all(self, stack: Stack, batches: list[tuple[str, bytes, int]], clients: int, path: str) -> float:
        work: queue.Queue = queue.Queue()
        for item in batches:
            work.put(item)
        failures: list[str] = []

        def client() -> None:
            while True:
                try:
                    token, body, _ = work.get_nowait()
                except queue.Empty:
                    return
                status, answer = stack.request(
                    "POST", path, body, {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
                )
                if status != 202:
                    failures.append(f"{status} {answer}")

        start = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - start
        if failures:
            raise CommandError(f"{len(failures)} posts failed, first: {failures[0]}")
        return elapsed

    def _expanded(self, stack: Stack, expected: int) -> bool:
        pending = stack.query("SELECT count(*) FROM evidence_ingestbatch WHERE status = 'pending'")[0][0]
        stored = stack.query("SELECT count(*) FROM evidence_event")[0][0]
        return pending == 0 and stored >= expected

    def _run(self, stack: Stack, tokens: list[str], naive_token: str, options: dict[str, Any]) -> None:
        total = options["events"]
        clients = options["clients"]
        out = self.stdout.write
        out(f"events: {total}")
        out(f"sources: {len(tokens)}")
        out(f"batch_size: {BATCH}")
        out(f"web_workers: {options['web_workers']}")
        out(f"celery_concurrency: {options['celery_concurrency']}")

        # 1. Maximum: post everything as fast as the clients can, until every event is in the chain.
        batches = make_batches(total, tokens, "max")
        start = time.perf_counter()
        accept_seconds = self._post_all(stack, batches, clients, "/api/evidence/v1/events")
        wait_until(lambda: self._expanded(stack, total), 3600, interval=0.05, what="expansion")
        ingest_seconds = time.perf_counter() - start
        ingest_rate = total / ingest_seconds
        first_accept_rate = total / accept_seconds
        out(f"ingest_events_per_s: {ingest_rate:.0f}")
        out(f"first_delivery_accept_events_per_s: {first_accept_rate:.0f}")

        # 2. Re-delivery of the same batches: every event a duplicate.
        redelivery_seconds = self._post_all(stack, batches, clients, "/api/evidence/v1/events")
        stored = stack.query("SELECT count(*) FROM evidence_event")[0][0]
        if stored != total:
            raise CommandError(f"re-delivery changed the store: {stored} events, expected {total}")
        redelivery_rate = total / redelivery_seconds
        out(f"redelivery_events_per_s: {redelivery_rate:.0f}")
        out(f"redelivery_slowdown: {first_accept_rate / redelivery_rate:.2f}")

        # 3. Steady load at 80% of the maximum: time from 202 to queryable, per batch.
        rate = 0.8 * ingest_rate / BATCH  # batches per second
        steady_batches = max(4, int(rate * options["steady_seconds"]))
        steady = make_batches(steady_batches * BATCH, tokens, "steady")
        answered: dict[str, float] = {}
        refused: list[int] = []
        lock = threading.Lock()
        slots: queue.Queue = queue.Queue()

        def paced_client() -> None:
            while True:
                item = slots.get()
                if item is None:
                    return
                token, body, _ = item
                status, answer = stack.request(
                    "POST",
                    "/api/evidence/v1/events",
                    body,
                    {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                )
                with lock:
                    if status == 202 and answer:
                        answered[answer["batch_id"]] = time.time()
                    else:
                        refused.append(status)

        workers = [threading.Thread(target=paced_client) for _ in range(clients)]
        for worker in workers:
            worker.start()
        begin = time.perf_counter()
        for n, item in enumerate(steady):
            due = begin + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            slots.put(item)
        for _ in workers:
            slots.put(None)
        for worker in workers:
            worker.join()
        if refused:
            raise CommandError(f"{len(refused)} steady-load posts were refused, e.g. HTTP {refused[0]}")
        wait_until(lambda: self._expanded(stack, total + steady_batches * BATCH), 600, 0.05, "steady expansion")
        rows = stack.query(
            "SELECT id::text, extract(epoch FROM expanded_at) FROM evidence_ingestbatch WHERE id::text = ANY(%s)",
            (list(answered),),
        )
        latencies = sorted(max(0.0, float(expanded) - answered[batch_id]) for batch_id, expanded in rows)
        p95 = latencies[int(0.95 * (len(latencies) - 1))]
        out(f"steady_offered_events_per_s: {rate * BATCH:.0f}")
        out(f"steady_batches: {len(latencies)}")
        out(f"processed_p50_s: {statistics.median(latencies):.3f}")
        out(f"processed_p95_s: {p95:.3f}")

        # 4. The naive path, same machine, same run.
        naive = make_batches(options["naive_events"], [naive_token], "naive")
        naive_seconds = self._post_all(stack, naive, clients, "/api/evidence/bench/naive-events")
        naive_rate = options["naive_events"] / naive_seconds
        out(f"naive_events_per_s: {naive_rate:.0f}")
        out(f"ratio: {ingest_rate / naive_rate:.1f}")

        verification = stack.verify()
        out(f"chain_verifies: {'yes' if verification.returncode == 0 else 'NO'}")
        if verification.returncode != 0:
            raise CommandError(verification.stdout + verification.stderr)
