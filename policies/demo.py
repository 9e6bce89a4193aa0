"""Demo policy bundle: the demo register compiled and published, so gateways can pull it at once.

Idempotent: when a published bundle already exists, nothing is done (a newer register is published by people,
through the draft page). The officer requests the publication and the committee approves it, through the
services, so the demo has the same decision rows as real data.
"""

from __future__ import annotations

from aims.accounts.models import User
from policies import selectors, services


def seed() -> dict[str, int]:
    if selectors.current_bundle() is not None:
        return {"bundles": 0}
    officer = User.objects.get(username="officer")
    committee = User.objects.get(username="committee")
    pending = selectors.pending_bundle()
    bundle = pending or services.request_publication(
        user=officer, note="Demo: the register as approved, for the gateways."
    )
    services.decide_publication(
        bundle=bundle, user=committee, approve=True, rationale="Demo: matches the register and approved models."
    )
    return {"bundles": 1}
