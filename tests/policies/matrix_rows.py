"""Authorization matrix rows of the policies app (tests/matrix.py explains the columns).

Every role holder reads bundles; officers request publication; the committee decides it; auditors read. The
gateway endpoints take only a source token: personal tokens and sessions get 401 there, like the evidence
ingestion.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from policies import services
from tests.conftest import Persona
from tests.matrix import DECISION_READERS, ROLE_HOLDERS, Row, allowed_for
from tests.policies.factories import published_bundle, support_use_case

NOT_A_GATEWAY = allowed_for(401, ["officer", "owner", "committee", "auditor", "outsider"])


def a_pending_bundle(personas: dict[str, Persona]) -> dict[str, Any]:
    # Requested by the second officer, so that the committee persona may decide it.
    support_use_case()
    return {"pk": services.request_publication(user=personas["officer2"].user).pk}


def a_published_bundle(personas: dict[str, Persona]) -> dict[str, Any]:
    support_use_case()
    published_bundle(personas["officer2"].user, personas["committee"].user)
    return {}


def a_register(personas: dict[str, Persona]) -> dict[str, Any]:
    support_use_case()
    return {}


ROWS = [
    Row("policies:index", allowed=allowed_for(200, ROLE_HOLDERS)),
    Row("policies:draft", kwargs=a_register, allowed=allowed_for(200, ROLE_HOLDERS)),
    Row(
        "policies:request-publication",
        method="post",
        kwargs=a_register,
        data={"note": "please"},
        allowed={"officer": 302},
    ),
    Row("policies:history", allowed=allowed_for(200, DECISION_READERS)),
    Row("policies:bundle-detail", kwargs=a_pending_bundle, allowed=allowed_for(200, ROLE_HOLDERS)),
    Row(
        "policies:bundle-decide",
        method="post",
        kwargs=a_pending_bundle,
        data={"decision": "approve", "rationale": "ok"},
        allowed={"committee": 302},
    ),
    Row("policies:bundle-json", kwargs=a_pending_bundle, allowed=allowed_for(200, ROLE_HOLDERS)),
    Row("api:policy-bundle-list", api=True, allowed=allowed_for(200, ROLE_HOLDERS)),
    Row("api:policy-bundle-detail", api=True, kwargs=a_pending_bundle, allowed=allowed_for(200, ROLE_HOLDERS)),
    Row("api:policy-bundle-draft", api=True, kwargs=a_register, allowed=allowed_for(200, ROLE_HOLDERS)),
    Row(
        "api:policy-bundle-request-publication",
        api=True,
        method="post",
        kwargs=a_register,
        data={"note": "please"},
        allowed={"officer": 201},
    ),
    Row("api:enforcement-bundle", api=True, kwargs=a_published_bundle, allowed={**NOT_A_GATEWAY, "ingestion": 200}),
    Row(
        "api:enforcement-decide",
        api=True,
        method="post",
        kwargs=a_published_bundle,
        data={"use_case": "support-summaries", "model": "gpt-4o-mini", "text": "hello"},
        allowed={**NOT_A_GATEWAY, "ingestion": 200},
    ),
]

try:  # OPA's decision-log intake, once the platform routes it (aims/api_urls.py)
    reverse("api:evidence-opa-logs")
except NoReverseMatch:
    pass
else:
    from tests.policies.test_opa import DOCS_EXAMPLE

    ROWS.append(
        Row(
            "api:evidence-opa-logs",
            api=True,
            method="post",
            data=DOCS_EXAMPLE,
            allowed={**NOT_A_GATEWAY, "ingestion": 202},
        )
    )
