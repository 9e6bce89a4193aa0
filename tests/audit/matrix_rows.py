"""Authorization matrix rows of the audit trail."""

from __future__ import annotations

from typing import Any

from tests.conftest import Persona
from tests.matrix import Row, allowed_for

READERS = ["officer", "auditor"]


def _event(personas: dict[str, Persona]) -> dict[str, Any]:
    from aims.audit import services
    from aims.audit.choices import AuditKind

    return {"pk": services.record(AuditKind.CONFIG_CHANGE, actor_label="matrix", summary="Matrix row").pk}


ROWS = [
    Row("audit:event-list", allowed=allowed_for(200, READERS)),
    Row("audit:event-export", allowed=allowed_for(200, READERS)),
    Row("api:audit-event-list", api=True, allowed=allowed_for(200, READERS)),
    Row("api:audit-event-detail", api=True, kwargs=_event, allowed=allowed_for(200, READERS)),
]
