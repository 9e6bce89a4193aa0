"""Authorization matrix rows of the evidence app (tests/matrix.py explains the columns)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Persona
from tests.evidence.helpers import decision
from tests.matrix import ROLE_HOLDERS, Row, allowed_for


def _source(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"name": "litellm-prod"}


def _token(personas: dict[str, Persona]) -> dict[str, Any]:
    from evidence.models import SourceToken

    return {"name": "litellm-prod", "pk": SourceToken.objects.filter(source__name="litellm-prod").first().pk}


ROWS = [
    Row("evidence:index", allowed=allowed_for(200, ROLE_HOLDERS)),
    Row("evidence:source-create", allowed={"officer": 200}),
    Row("evidence:source-detail", kwargs=_source, allowed=allowed_for(200, ROLE_HOLDERS)),
    Row("evidence:token-issue", method="post", kwargs=_source, data={"name": "rotation"}, allowed={"officer": 200}),
    Row("evidence:token-revoke", method="post", kwargs=_token, allowed={"officer": 302}),
    # Only a source token may ingest; personal tokens and sessions are not credentials here.
    Row(
        "api:evidence-ingest",
        api=True,
        method="post",
        data=[decision()],
        allowed={**allowed_for(401, ["officer", "owner", "committee", "auditor", "outsider"]), "ingestion": 202},
    ),
]


def _event(personas: dict[str, Persona]) -> dict[str, Any]:
    from datetime import UTC, datetime, timedelta

    from evidence.models import EvidenceSource
    from tests.evidence.checkpoint_helpers import ingest_on

    source = EvidenceSource.objects.get(name="litellm-prod")
    ingest_on(source, datetime.now(UTC) - timedelta(minutes=1), [decision()])
    return {"name": "litellm-prod", "index": 0}


# The evidence explorer: everyone with an evidence role reads events, checkpoints and check results.
ROWS += [
    Row("evidence:event-list", allowed=allowed_for(200, ROLE_HOLDERS)),
    Row("evidence:event-export", allowed=allowed_for(200, ROLE_HOLDERS)),
    Row("evidence:event-detail", kwargs=_event, allowed=allowed_for(200, ROLE_HOLDERS)),
    Row("api:evidence-event-list", api=True, allowed=allowed_for(200, ROLE_HOLDERS)),
    Row("api:evidence-source-list", api=True, allowed=allowed_for(200, ROLE_HOLDERS)),
    Row("api:evidence-checkpoint-list", api=True, allowed=allowed_for(200, ROLE_HOLDERS)),
    Row("api:evidence-check-result-list", api=True, allowed=allowed_for(200, ROLE_HOLDERS)),
    Row(
        "api:evidence-oscal-assessment-results",
        api=True,
        data={"date_from": "2026-01-01", "date_to": "2026-01-31"},
        allowed=allowed_for(200, ROLE_HOLDERS),
    ),
]
