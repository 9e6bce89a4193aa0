"""Ingestion on the real stack: PostgreSQL, Redis and a real Celery worker process."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from evidence import services
from evidence.choices import BatchStatus
from evidence.models import Event, IngestBatch
from evidence.tasks import sweep_pending_batches
from tests.conftest import wait_for
from tests.evidence.helpers import INGEST, decision

pytestmark = pytest.mark.services


def test_the_worker_expands_an_accepted_batch(celery_worker, ingestion, evidence_source) -> None:
    response = Client().generic(
        "POST",
        INGEST,
        json.dumps([decision(), decision()]),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {ingestion.token}",
    )
    assert response.status_code == 202
    batch_id = response.json()["batch_id"]
    assert wait_for(lambda: IngestBatch.objects.get(pk=batch_id).status == BatchStatus.EXPANDED)
    assert Event.objects.filter(source=evidence_source).count() == 2


def test_the_sweeper_recovers_a_batch_whose_task_was_lost(celery_worker, evidence_source) -> None:
    payload = json.dumps([decision()])
    lost = IngestBatch.objects.create(
        id=uuid.uuid4(),
        source=evidence_source,
        received_at=datetime.now(UTC) - timedelta(minutes=5),
        item_count=1,
        payload=payload,
    )
    assert sweep_pending_batches.delay() is not None
    assert wait_for(lambda: IngestBatch.objects.get(pk=lost.pk).status == BatchStatus.EXPANDED)
    assert services.expand_batch(str(lost.pk)) == 0
    assert Event.objects.filter(source=evidence_source).count() == 1
