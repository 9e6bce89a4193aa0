"""Seed a freshly migrated portal for the gateway stage, in seconds (`seed_demo` takes minutes).

Run with the portal's interpreter from the repository root (DATABASE_URL set):
    .venv/bin/python tests/gateway/seed_portal.py SOURCE_NAME
It makes an officer and a committee member, the `support-summaries` use case (approved `gpt-4o-mini` and
`gpt-4o-mini-down`, an unapproved `gpt-unapproved`, a PII policy), publishes the bundle with four eyes,
registers the evidence source, and prints one JSON line: {"source_token", "api_token", "revision", "source"}.
The API token is the officer's personal token: the test reads the events back through /api/v1/evidence/events/.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")

import django

django.setup()

from aims.accounts.choices import Role  # noqa: E402
from aims.accounts.models import ApiToken, hash_token  # noqa: E402
from evidence import services as evidence_services  # noqa: E402
from tests.factories import UserFactory  # noqa: E402
from tests.policies.factories import approved_model, published_bundle, support_use_case  # noqa: E402


def main(source_name: str) -> None:
    officer = UserFactory(username="gw-officer", roles=[Role.OFFICER])
    committee = UserFactory(username="gw-committee", roles=[Role.COMMITTEE])
    use_case = support_use_case()
    # Approved, but its deployment in the CI proxy points at a closed port: the model call fails after the
    # guardrail allowed it, which the guardrail records as a post_call event.
    approved_model(use_case, gateway_name="gpt-4o-mini-down")
    bundle = published_bundle(officer, committee, note="Gateway CI")
    source = evidence_services.create_source(
        user=officer, name=source_name, owner=officer, heartbeat_seconds=60, check_permission=False
    )
    _, source_token = evidence_services.issue_source_token(source=source, user=officer, check_permission=False)
    api_key = ApiToken.generate_key()
    ApiToken.objects.create(user=officer, name="gateway CI", prefix=api_key[:13], key_hash=hash_token(api_key))
    print(
        json.dumps(
            {"source": source_name, "source_token": source_token, "api_token": api_key, "revision": bundle.revision}
        )
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "litellm-ci")
