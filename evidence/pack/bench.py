"""Benchmark of evidence packs (issue 10, item 7): build and verify a pack of N events on PostgreSQL.

    from evidence.pack import bench; bench.run(events=1_000_000, out_dir="var/bench-pack")
    python manage.py bench_pack --events 1000000

`run` makes a fresh database next to the configured one (evidence.harness.Stack.fresh_database), migrated, and
seeds it in a child process through the real expansion path: batches stored as the ingestion request stores
them, expanded by `services.expand_batch` (COPY on PostgreSQL), over three past UTC days that the checkpoint
signer then signs, so the chain and the checkpoints are the real thing. It then builds the pack in another
child process and verifies it with the pack's own verify.py (`python -I`), each timed from the outside, with
its peak resident memory read from the kernel (`os.wait4`). Target: a million events packed in under 60 s
within 300 MB, and verified in under 30 s.

Returned and printed figures: events, seed_s, pack_s (wall time of the child, Python and Django start-up
included), pack_build_s (inside build_pack), pack_1m_events_s (pack_s scaled linearly to a million events;
equal to pack_s at 1,000,000), pack_cpu_s (the child's user + system CPU; PostgreSQL's own work is not in it),
pack_peak_rss_mb, pack_mb, verify_s, verify_1m_events_s, verify_cpu_s, verify_peak_rss_mb, verify_ok. On a
shared machine the wall times depend on the load; the CPU times much less.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BATCH = 5000
DAYS = 3
SOURCE = "bench-pack"


# --- the child processes ------------------------------------------------------------------------------------
# Django is set up before evidence.pack is imported (its package imports models).
CHILD = (
    "import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'aims.settings'); django.setup(); "
    "from evidence.pack import bench; bench._child_main(sys.argv[1:])"
)


DECISION = {
    "fail_mode": "closed",
    "actor": {"team": "support", "key_alias": "bot", "user_ref": "u-17"},
    "model": {"requested": "gpt-4o-mini", "used": "gpt-4o-mini", "provider": "openai", "region": "eu"},
    "policy": {"bundle": "northwind", "revision": "ab" * 32, "rule_ids": ["pii.redact"]},
    "reasons": [{"code": "pii_redacted", "rule_id": "pii.redact"}],
    "redaction": {"executed": True, "engine": "aims-enforcement/0.1.0", "counts": {"EMAIL_ADDRESS": 1}},
    "metrics": {"latency_ms": 2.5, "prompt_tokens": 120, "completion_tokens": 80, "cost": "0.00042"},
}


def _events(count: int, day: date, offset: int) -> list[dict[str, Any]]:
    """Decisions like a gateway's (about 900 bytes canonical each), with a heartbeat every 50 events."""
    occurred = datetime.combine(day, datetime.min.time(), tzinfo=UTC).isoformat().replace("+00:00", "Z")
    events = []
    for i in range(count):
        event: dict[str, Any] = {
            "schema_version": "1.0",
            "event_id": f"bench-{offset + i}-{uuid.uuid4().hex[:10]}",
            "occurred_at": occurred,
            "node_id": f"gw-{i % 3}",
            "producer_seq": offset + i,
        }
        if i % 50 == 49:
            event.update(kind="heartbeat", counters={"sent": offset + i, "spooled": 0, "dropped": 0})
        else:
            event.update(
                DECISION,
                kind="decision",
                trace_id=uuid.uuid4().hex,
                stage="pre_call",
                decision=("allow", "redact", "block")[i % 3],
                use_case=("support-chat", "credit-scoring", "code-assist")[i % 3],
            )
        events.append(event)
    return events


def seed(total: int) -> dict[str, str]:
    """In the bench database: a source with `total` events over the last DAYS due days, expanded and signed."""
    from django.utils import timezone

    from aims.accounts.models import User
    from controls import services as control_services
    from evidence import checkpoints, partitions, services
    from evidence.models import EvidenceSource, IngestBatch

    control_services.load_frameworks()
    owner = User.objects.get(username="gateway-owner")
    source = EvidenceSource.objects.filter(name=SOURCE).first() or services.create_source(
        user=owner, name=SOURCE, owner=owner, check_permission=False
    )
    last = checkpoints.last_due_day()
    days = [last - timedelta(days=DAYS - 1 - n) for n in range(DAYS)]
    partitions.ensure_partitions(start=days[0])
    per_day = [total // DAYS + (1 if n < total % DAYS else 0) for n in range(DAYS)]
    written = 0
    for day, count in zip(days, per_day, strict=True):
        batches = (count + BATCH - 1) // BATCH
        for b in range(batches):
            size = min(BATCH, count - b * BATCH)
            # Spread over the day so every batch stays inside it.
            received = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
                seconds=60 + b * (86_000 // max(batches, 1))
            )
            events = _events(size, day, written)
            batch = IngestBatch.objects.create(
                source=source,
                received_at=received,
                item_count=size,
                payload=json.dumps(events, separators=(",", ":")),
            )
            services.expand_batch(str(batch.id))
            written += size
    signed = checkpoints.sign_due_checkpoints()
    return {
        "from": days[0].isoformat(),
        "to": days[-1].isoformat(),
        "events": str(written),
        "checkpoints": str(len(signed)),
        "fingerprint": checkpoints.current_key().fingerprint,
        "seeded_at": timezone.now().isoformat(),
    }


def build(date_from: str, date_to: str, out: str) -> dict[str, Any]:
    import resource

    from evidence.pack import build_pack

    start = time.perf_counter()
    result = build_pack(
        out=out,
        date_from=date.fromisoformat(date_from),
        date_to=date.fromisoformat(date_to),
        # The summary PDF is the report framework's, measured by bench_reports; this measures the pack itself.
        summary_pdf=b"%PDF-1.4\n% placeholder summary\n%%EOF\n",
        seed=1,
    )
    return {
        "seconds": time.perf_counter() - start,
        "size": result.size,
        "events": result.manifest["counts"]["events"],
        "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def _child_main(argv: list[str]) -> None:
    if argv[0] == "seed":
        print(json.dumps(seed(int(argv[1]))))
    elif argv[0] == "build":
        print(json.dumps(build(argv[1], argv[2], argv[3])))
    else:
        raise SystemExit(f"unknown step {argv[0]!r}")


# --- the parent ---------------------------------------------------------------------------------------------
_last_cpu = [0.0]


def _run_child(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int, str]:
    """Run a child to completion; return its wall time, its own peak RSS in MB, and its stdout. Its CPU time
    (user + system) is kept in `_last_cpu`: on a shared machine it is the figure that does not depend on load."""
    log = cwd / f"child-{int(time.time() * 1000)}.log"
    start = time.perf_counter()
    with log.open("w") as errors:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=errors)  # noqa: S603
        out = process.stdout.read().decode() if process.stdout else ""
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    _last_cpu[0] = usage.ru_utime + usage.ru_stime
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{command[:4]} exited {process.returncode}: {log.read_text()[-2000:]}")
    return seconds, usage.ru_maxrss // 1024, out


def _drop_database(base_url: str, name: str) -> None:
    """A million events take over a gigabyte in PostgreSQL: give the space back once measured."""
    import psycopg

    from evidence.harness import _conninfo

    with psycopg.connect(_conninfo(base_url, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(events: int, out_dir: str | Path, *, database_name: str = "aims_pack_bench", echo: bool = True) -> dict:
    """Seed `events` events into a fresh PostgreSQL database, then build and verify their pack; return figures."""
    from django.conf import settings

    from evidence.harness import Stack

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("Recorded figures need PostgreSQL: set DATABASE_URL=postgres://...")
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    stack = Stack(database_url=Stack.fresh_database(settings.DATABASE_URL, database_name))
    env = stack.env()
    key_file = out / "bench-signing-key.pem"
    if not key_file.exists():
        from evidence import signing

        signing.save(signing.generate(), key_file)
    env["AIMS_SIGNING_KEY_FILE"] = str(key_file)
    env["PYTHONPATH"] = str(ROOT)
    stack.extra_env = {"AIMS_SIGNING_KEY_FILE": env["AIMS_SIGNING_KEY_FILE"]}
    figures: dict[str, Any] = {"events": events}
    try:
        stack.migrate()
        python = [sys.executable, "-c", CHILD]
        seconds, _, text = _run_child([*python, "seed", str(events)], env, out)
        seeded = json.loads(text.strip().splitlines()[-1])
        figures["seed_s"] = round(seconds, 1)
        pack = out / "pack.zip"
        seconds, rss, text = _run_child([*python, "build", seeded["from"], seeded["to"], str(pack)], env, out)
        built = json.loads(text.strip().splitlines()[-1])
        scale = 1_000_000 / max(built["events"], 1)
        figures["pack_s"] = round(seconds, 1)
        figures["pack_build_s"] = round(built["seconds"], 1)
        figures["pack_1m_events_s"] = round(seconds * scale, 1)
        figures["pack_cpu_s"] = round(_last_cpu[0], 1)
        figures["pack_peak_rss_mb"] = rss
        figures["pack_mb"] = round(built["size"] / 1e6, 1)
        with zipfile.ZipFile(pack) as archive:
            (out / "verify.py").write_bytes(archive.read("verify.py"))
        verify = [sys.executable, "-I", str(out / "verify.py"), str(pack), "--key-fingerprint", seeded["fingerprint"]]
        seconds, rss, text = _run_child(verify, {"PATH": os.environ.get("PATH", "")}, out)
        figures["verify_s"] = round(seconds, 1)
        figures["verify_1m_events_s"] = round(seconds * scale, 1)
        figures["verify_cpu_s"] = round(_last_cpu[0], 1)
        figures["verify_peak_rss_mb"] = rss
        figures["verify_ok"] = "yes" if "RESULT: OK" in text else "NO"
    finally:
        stack.close()
        _drop_database(settings.DATABASE_URL, database_name)
    if echo:
        for name, value in figures.items():
            print(f"{name}: {value}")
    return figures
