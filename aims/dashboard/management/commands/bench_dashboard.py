"""manage.py bench_dashboard [--events N] [--days D] [--iterations K] [--no-seed]

Measures the server time of the dashboard and of an AI system page over a realistic evidence store (issue 11,
item 3; target p95 under 150 ms at 1,000,000 events). Prints `name: value` lines.

Seeding goes through the real expansion path: the events (decisions of the register's use cases, spread over
the last D days in time order, a few for models the use case may not use) are stored as ingest batches of
1,000 items and each batch is expanded by `evidence.services.expand_batch`, exactly as the worker does it:
chained, written with COPY on PostgreSQL, and rolled up (`Rollup`, `RuleRollup`, `NodeGap`, `SourceNode`,
`SourceDay`). Only the HTTP request and the dedupe claims are skipped, since ingestion is benchmarked by
`bench_ingest`. An empty register is first filled with `seed_demo`, so every panel has real records to show.

Then the pages are requested with Django's test Client as a governance officer: `--warmup` requests first (not
counted: they fill Python's and the database's caches), then `--iterations` timed requests each, twice:
`<page>_*` with the dashboard cache off (AIMS_DASHBOARD_CACHE_SECONDS=0: every panel recomputed on every
request), and `<page>_cached_*` as served, with the cache warm: the dashboard's rendered panels kept per reader
and period, the system page's enforcement figures kept per period (both for the TTL, and recomputed at once when
new evidence is expanded). `baseline_healthz_*` times a page that does nothing, to show what the middleware and
the machine's load cost alone. Query counts come from one request under CaptureQueriesContext. Run it on
PostgreSQL for figures that mean anything; `--events 5000` is the CI smoke.
"""

from __future__ import annotations

import random
import re
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.accounts.choices import Role
from aims.accounts.models import User
from evidence import services as evidence_services
from evidence.choices import BatchStatus
from evidence.models import Event, EvidenceSource, IngestBatch, Rollup, SourceNode
from registry.models import AISystem, UseCase

BATCH = 1000
SOURCE_NAME = "bench-dashboard"
NODES = ("gw-a", "gw-b", "gw-c")
ENTITIES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "PERSON", "IBAN_CODE", "CREDIT_CARD")
BLOCK_RULES = ("model.allowlist", "deny.secrets", "pii.block", "max_input_chars")
EVENT_TABLE = re.compile(r"\bevidence_event\b")
_encoder = msgspec.json.Encoder()


def _decision(rng: random.Random, *, occurred: datetime, node: str, seq: int, use_case: str, models: list[str]) -> Any:
    roll = rng.random()
    if roll < 0.02:
        outcome, model, rules = "block", "gpt-unapproved", ["model.allowlist"]
    elif roll < 0.08:
        outcome, model, rules = "block", rng.choice(models), [rng.choice(BLOCK_RULES[1:])]
    elif roll < 0.38:
        outcome, model, rules = "redact", rng.choice(models), ["pii.redact"]
    elif roll < 0.40:
        outcome, model, rules = "error", rng.choice(models), []
    else:
        outcome, model, rules = "allow", rng.choice(models), []
    counts = {rng.choice(ENTITIES): rng.randint(1, 3)} if outcome == "redact" else {}
    return {
        "schema_version": "1.0",
        "kind": "decision",
        "event_id": uuid.uuid4().hex,
        "occurred_at": occurred.isoformat().replace("+00:00", "Z"),
        "node_id": node,
        "producer_seq": seq,
        "trace_id": uuid.uuid4().hex,
        "stage": "model_access" if rules == ["model.allowlist"] else "pre_call",
        "decision": outcome,
        "fail_mode": "open" if outcome == "error" and rng.random() < 0.5 else "closed",
        "use_case": use_case,
        "actor": {"team": "bench", "key_alias": "bench", "user_ref": f"u-{seq % 997}"},
        "model": {"requested": model, "used": model, "provider": "openai", "region": "eu"},
        "policy": {"bundle": "bench", "revision": "cd" * 32, "rule_ids": rules},
        "reasons": [{"code": "rule", "rule_id": r} for r in rules],
        "redaction": {"executed": outcome == "redact", "engine": "aims-enforcement/0.1.0", "counts": counts},
        "metrics": {
            "latency_ms": round(rng.uniform(1, 40), 1),
            "prompt_tokens": rng.randint(20, 900),
            "completion_tokens": rng.randint(0, 600),
            "cost": "0.00042",
        },
        "attributes": {},
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class Command(BaseCommand):
    help = "Seed N events through the expansion path, then time the dashboard and an AI system page."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--events", type=int, default=1_000_000)
        parser.add_argument("--days", type=int, default=90, help="Spread the events over the last D days.")
        parser.add_argument("--iterations", type=int, default=50)
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument("--no-seed", action="store_true", help="Measure what is stored; add no events.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed of the generated traffic.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["events"] < 0 or options["days"] < 1 or options["iterations"] < 1:
            raise CommandError("--events must be >= 0, --days and --iterations >= 1")
        self.stdout.write(f"database: {connection.vendor} {settings.DATABASES['default'].get('NAME')}")
        if not AISystem.objects.exists():
            self.stdout.write("register empty: running seed_demo")
            call_command("seed_demo", stdout=self.stdout)
        officer = self._officer()
        if not options["no_seed"] and options["events"]:
            started = time.perf_counter()
            self._seed(officer, options["events"], options["days"], random.Random(options["seed"]))  # noqa: S311
            self.stdout.write(f"seed_s: {time.perf_counter() - started:.1f}")
            if connection.vendor == "postgresql":
                # What autovacuum would soon do: fresh statistics, so the planner sees the rollups' real size.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE evidence_rollup, evidence_rulerollup, evidence_nodegap")
        self.stdout.write(f"events_stored: {Event.objects.count()}")
        self.stdout.write(f"rollup_rows: {Rollup.objects.count()}")
        self._measure(officer, options["iterations"], options["warmup"])

    def _officer(self) -> User:
        user = User.objects.filter(username="bench-officer").first()
        if user is None:
            user = User.objects.create_user(username="bench-officer", password=uuid.uuid4().hex)
        from django.contrib.auth.models import Group

        user.groups.add(Group.objects.get(name=Role.OFFICER))
        return user

    def _seed(self, officer: User, total: int, days: int, rng: random.Random) -> None:
        use_cases = list(UseCase.objects.filter(active=True).order_by("key"))
        if not use_cases:
            raise CommandError("the register has no active use case to send traffic for")
        from aims.dashboard.selectors import approved_models_by_use_case

        approved = approved_models_by_use_case()
        models = {uc.key: sorted(approved.get(uc.key, ())) or ["gpt-4o-mini"] for uc in use_cases}
        end = datetime.now(UTC) - timedelta(minutes=1)
        start = end - timedelta(days=days)
        spacing = (end - start).total_seconds() / total
        source = EvidenceSource.objects.filter(name=SOURCE_NAME).first()
        if source is None:
            source = evidence_services.create_source(
                user=officer, name=SOURCE_NAME, owner=officer, check_permission=False
            )
        # A node sends every len(NODES)-th event; a heartbeat longer than that spacing keeps the silence check
        # from reading the synthetic spacing as outages.
        EvidenceSource.objects.filter(pk=source.pk).update(
            heartbeat_seconds=max(source.heartbeat_seconds, int(spacing * len(NODES) * 4) + 1)
        )
        source.refresh_from_db()
        # A re-run continues each node's producer_seq, so it adds no sequence holes.
        last = dict(SourceNode.objects.filter(source=source).values_list("node_id", "seq_max"))
        base_seq = {node: (last.get(node) or 0) + 1 for node in NODES}
        received_at = datetime.now(UTC)
        made = 0
        while made < total:
            size = min(BATCH, total - made)
            items = []
            for i in range(made, made + size):
                node = NODES[i % len(NODES)]
                uc = use_cases[i % len(use_cases)]
                event = _decision(
                    rng,
                    occurred=start + timedelta(seconds=spacing * i),
                    node=node,
                    seq=base_seq[node] + i // len(NODES),
                    use_case=uc.key,
                    models=models[uc.key],
                )
                items.append(_encoder.encode(event))
            batch = IngestBatch.objects.create(
                id=uuid.uuid4(),
                source=source,
                received_at=received_at,
                item_count=size,
                payload=(b"[" + b",".join(items) + b"]").decode(),
                status=BatchStatus.PENDING,
            )
            evidence_services.expand_batch(str(batch.id))
            made += size
            if made % 100_000 < BATCH:
                self.stdout.write(f"seeded: {made}")

    def _measure(self, officer: User, iterations: int, warmup: int) -> None:
        if "testserver" not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        client = Client()
        client.force_login(officer)
        system = AISystem.objects.order_by("pk").first()
        pages = {
            # A page that does next to nothing: what the middleware, session and the machine's load cost alone.
            "baseline_healthz": reverse("healthz"),
            "dashboard": reverse("dashboard:index"),
            "dashboard_90d": reverse("dashboard:index") + "?days=90",
            "system_page": reverse("dashboard:system", kwargs={"pk": system.pk}),
        }
        ttl = int(getattr(settings, "AIMS_DASHBOARD_CACHE_SECONDS", 60))
        for name, url in pages.items():
            # First with every panel recomputed on every request (the figure cache off), then as served in
            # production: the organisation-wide enforcement figures cached for the TTL, warm after the warm-up.
            for suffix, cache_seconds in (("", 0), ("_cached", ttl or 60)):
                settings.AIMS_DASHBOARD_CACHE_SECONDS = cache_seconds
                self._time(client, f"{name}{suffix}", url, iterations, warmup)
        settings.AIMS_DASHBOARD_CACHE_SECONDS = ttl
        self.stdout.write(f"iterations: {iterations} (after {warmup} warm-up requests per page, not counted)")

    def _time(self, client: Client, name: str, url: str, iterations: int, warmup: int) -> None:
        for _ in range(warmup):
            self._get(client, url)
        timings = []
        for _ in range(iterations):
            started = time.perf_counter()
            self._get(client, url)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            self._get(client, url)
        event_queries = [q for q in queries.captured_queries if EVENT_TABLE.search(q["sql"])]
        self.stdout.write(f"{name}_p50_ms: {statistics.median(timings):.1f}")
        self.stdout.write(f"{name}_p95_ms: {_percentile(timings, 0.95):.1f}")
        self.stdout.write(f"{name}_max_ms: {max(timings):.1f}")
        self.stdout.write(f"{name}_queries: {len(queries.captured_queries)}")
        self.stdout.write(f"{name}_event_table_queries: {len(event_queries)}")

    @staticmethod
    def _get(client: Client, url: str) -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
