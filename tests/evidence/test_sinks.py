"""Signed checkpoints pushed to the external sinks: a write-once directory and a webhook, both real (a tmp
directory and an HTTP server thread in this process), with failures recorded and retried with backoff."""

from __future__ import annotations

import base64
import json
import stat
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.utils import timezone

from evidence import checkpoints, signing
from evidence.models import Checkpoint, CheckpointPush, PushStatus
from evidence.tasks import push_checkpoints
from tests.evidence.checkpoint_helpers import (
    at,
    days_ago,
    ingest_on,
    key_file,  # noqa: F401  autouse: a fresh signing key, no sinks
)


class Receiver:
    """A webhook endpoint that records what it is sent and answers with `status`."""

    def __init__(self) -> None:
        self.status = 200
        self.received: list[dict] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                if receiver.status < 300:
                    receiver.received.append(json.loads(body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        return Handler


@pytest.fixture
def webhook(settings) -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), receiver.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.AIMS_CHECKPOINT_SINK_URL = f"http://127.0.0.1:{server.server_address[1]}/checkpoints"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sink_dir(settings, tmp_path) -> Path:
    path = tmp_path / "sink"
    settings.AIMS_CHECKPOINT_SINK_DIR = str(path)
    return path


def test_checkpoints_are_written_once_to_the_sink_directory(evidence_source, sink_dir) -> None:
    ingest_on(evidence_source, at(days_ago(2)))
    signed = checkpoints.sign_due_checkpoints()

    assert checkpoints.push_due() == {"pushed": 2, "failed": 0, "waiting": 0}

    path = sink_dir / "litellm-prod" / f"{days_ago(2).isoformat()}.json"
    document = json.loads(path.read_text())
    assert document["body"] == signed[0].body
    assert document["signature"] == signed[0].signature
    assert document["key_fingerprint"] == checkpoints.current_fingerprint()
    public = base64.b64decode(document["public_key"])
    assert signing.verify(public, document["body"].encode(), document["signature"])
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert set(CheckpointPush.objects.values_list("status", flat=True)) == {PushStatus.PUSHED}
    assert checkpoints.push_due() == {"pushed": 0, "failed": 0, "waiting": 0}


def test_an_identical_file_already_in_the_sink_counts_as_pushed(evidence_source, sink_dir) -> None:
    ingest_on(evidence_source, at(days_ago(1)))
    checkpoint = checkpoints.sign_due_checkpoints()[-1]
    folder = sink_dir / "litellm-prod"
    folder.mkdir(parents=True)
    (folder / f"{checkpoint.day.isoformat()}.json").write_bytes(checkpoints.sink_bytes(checkpoint))

    checkpoints.push_due()

    assert CheckpointPush.objects.get(checkpoint=checkpoint).status == PushStatus.PUSHED


def test_a_different_file_in_the_sink_is_never_overwritten_and_the_failure_is_recorded(
    evidence_source, sink_dir
) -> None:
    ingest_on(evidence_source, at(days_ago(1)))
    checkpoint = checkpoints.sign_due_checkpoints()[-1]
    folder = sink_dir / "litellm-prod"
    folder.mkdir(parents=True)
    existing = folder / f"{checkpoint.day.isoformat()}.json"
    existing.write_text('{"forged": true}\n')

    counts = checkpoints.push_due()

    push = CheckpointPush.objects.get(checkpoint=checkpoint)
    assert counts["failed"] == 1
    assert (push.status, push.attempts) == (PushStatus.FAILED, 1)
    assert "already holds a different checkpoint" in push.last_error
    assert existing.read_text() == '{"forged": true}\n'


def test_the_webhook_receives_the_signed_body_signature_and_fingerprint(evidence_source, webhook) -> None:
    ingest_on(evidence_source, at(days_ago(1)))
    signed = checkpoints.sign_due_checkpoints()

    assert push_checkpoints() == {"pushed": len(signed), "failed": 0, "waiting": 0}

    last = webhook.received[-1]
    assert last["body"] == signed[-1].body
    assert last["checkpoint"]["count"] == 2
    assert last["key_fingerprint"] == checkpoints.current_fingerprint()
    assert signing.verify(base64.b64decode(last["public_key"]), last["body"].encode(), last["signature"])
    push = CheckpointPush.objects.get(checkpoint=signed[-1], sink="webhook")
    assert push.status == PushStatus.PUSHED and push.pushed_at is not None


def test_a_failing_webhook_is_recorded_and_retried_with_backoff(evidence_source, webhook) -> None:
    ingest_on(evidence_source, at(days_ago(1)))
    checkpoint = checkpoints.sign_due_checkpoints()[-1]
    webhook.status = 503

    assert checkpoints.push_due()["failed"] == 1
    push = CheckpointPush.objects.get(checkpoint=checkpoint, sink="webhook")
    assert (push.status, push.attempts, push.last_error) == (PushStatus.FAILED, 1, "the webhook answered 503")

    assert checkpoints.push_due() == {"pushed": 0, "failed": 0, "waiting": 1}  # inside the backoff

    webhook.status = 200
    later = timezone.now() + checkpoints.retry_delay(1) + timedelta(seconds=1)
    assert checkpoints.push_due(now=later)["pushed"] == 1
    push.refresh_from_db()
    assert (push.status, push.attempts, push.last_error) == (PushStatus.PUSHED, 2, "")
    assert webhook.received[-1]["signature"] == checkpoint.signature


def test_an_unreachable_webhook_is_a_recorded_failure(evidence_source, settings) -> None:
    settings.AIMS_CHECKPOINT_SINK_URL = "http://127.0.0.1:9/never"
    ingest_on(evidence_source, at(days_ago(1)))
    checkpoint = checkpoints.sign_due_checkpoints()[-1]

    checkpoints.push_due()

    push = CheckpointPush.objects.get(checkpoint=checkpoint)
    assert push.status == PushStatus.FAILED
    assert "unreachable" in push.last_error


def test_checkpoints_signed_before_a_sink_was_configured_are_pushed_too(evidence_source, settings, tmp_path) -> None:
    ingest_on(evidence_source, at(days_ago(2)))
    signed = checkpoints.sign_due_checkpoints()
    assert not CheckpointPush.objects.exists()

    settings.AIMS_CHECKPOINT_SINK_DIR = str(tmp_path / "late")
    checkpoints.push_due()

    assert CheckpointPush.objects.filter(status=PushStatus.PUSHED).count() == len(signed) == Checkpoint.objects.count()
    assert len(list((tmp_path / "late" / "litellm-prod").iterdir())) == len(signed)
