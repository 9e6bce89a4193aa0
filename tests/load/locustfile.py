"""The load scenario (issue 12): gateways ingesting and deciding, committees on the dashboard, officers on the
register, all at once against gunicorn on PostgreSQL. Run by .ci/fuzz.sh's load step, or by hand:

    AIMS_LOAD_SOURCE_TOKEN=... AIMS_LOAD_API_TOKEN=... locust -f tests/load/locustfile.py --headless \
        --host http://127.0.0.1:8772 --users 12 --spawn-rate 6 --run-time 60s --csv out/load

Every request names itself (`name=`), so the statistics are per endpoint, not per URL.
"""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from itertools import count
from typing import Any

from locust import HttpUser, between, task

SOURCE_TOKEN = os.environ.get("AIMS_LOAD_SOURCE_TOKEN", "")
API_TOKEN = os.environ.get("AIMS_LOAD_API_TOKEN", "")
PASSWORD = os.environ.get("AIMS_LOAD_PASSWORD", "aims-demo-2026")
# Synthetic text with the kinds of personal data the policy redacts; nothing real.
TEXT = "Please summarise the complaint from jane.doe@example.com, phone +44 20 7946 0958, card 4111 1111 1111 1111."
_seq = count(1)


class SignedIn(HttpUser):
    """A person signed in through the login form. The portal runs with production settings, whose cookies are
    Secure; on the loopback's plain HTTP the client keeps them but would not send them, so they are sent by hand.
    A page that answers anything but 200 (a redirect to the login page, say) counts as a failure."""

    abstract = True
    username = ""

    def on_start(self) -> None:
        self.client.get("/accounts/login/", name="login page")
        token = self.client.cookies.get("csrftoken", "")
        self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/", "Cookie": self._cookies()},
            allow_redirects=False,
            name="login",
        )

    def _cookies(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.client.cookies)

    def page(self, url: str, name: str) -> None:
        headers = {"Cookie": self._cookies()}
        with self.client.get(url, name=name, headers=headers, allow_redirects=False, catch_response=True) as page:
            if page.status_code != 200:
                page.failure(f"{page.status_code} instead of the page")


class Gateway(HttpUser):
    """A gateway replica: asks for decisions and pushes its decision records in batches."""

    weight = 3
    wait_time = between(0.05, 0.2)

    def on_start(self) -> None:
        self.headers = {"Authorization": f"Bearer {SOURCE_TOKEN}"}
        self.node = f"load-{uuid.uuid4().hex[:8]}"
        response = self.client.get("/api/enforcement/v1/bundle", headers=self.headers, name="bundle")
        self.revision = response.headers.get("X-AIMS-Bundle-Revision", "")
        use_cases = response.json().get("use_cases", {}).values()
        self.pairs = [(u["key"], u["allowed_models"][0]) for u in use_cases if u.get("allowed_models")] or [
            ("unknown", "unknown")
        ]

    @task(3)
    def decide(self) -> None:
        use_case, model = self.pairs[next(_seq) % len(self.pairs)]
        self.client.post(
            "/api/enforcement/v1/decide",
            json={"use_case": use_case, "model": model, "text": TEXT},
            headers=self.headers,
            name="decide",
        )

    @task(2)
    def ingest(self) -> None:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        use_case, model = self.pairs[next(_seq) % len(self.pairs)]
        batch = [self._event(now, use_case, model) for _ in range(20)]
        self.client.post("/api/evidence/v1/events", json=batch, headers=self.headers, name="ingest (20 events)")

    def _event(self, now: str, use_case: str, model: str) -> dict[str, Any]:
        return {
            "schema_version": "1.0",
            "kind": "decision",
            "event_id": uuid.uuid4().hex,
            "occurred_at": now,
            "node_id": self.node,
            "producer_seq": next(_seq),
            "stage": "pre_call",
            "decision": "redact",
            "fail_mode": "closed",
            "use_case": use_case,
            "model": {"requested": model, "used": model},
            "policy": {"bundle": "aims", "revision": self.revision, "rule_ids": ["R-PII"]},
            "reasons": [{"code": "pii_redacted", "rule_id": "R-PII"}],
            "redaction": {"executed": True, "engine": "aims", "counts": {"EMAIL_ADDRESS": 1}},
            "metrics": {"latency_ms": 12.5, "prompt_tokens": 40, "completion_tokens": 80, "cost": "0.00042"},
        }


class Committee(SignedIn):
    """A committee member reading the dashboard over a changing period."""

    weight = 1
    wait_time = between(0.5, 1.5)
    username = "committee"

    @task(3)
    def dashboard(self) -> None:
        self.page("/dashboard/", "dashboard")

    @task(1)
    def dashboard_90_days(self) -> None:
        self.page("/dashboard/?days=90", "dashboard (90 days)")


class Officer(SignedIn):
    """An officer reading the register, in the browser and through the API."""

    weight = 1
    wait_time = between(0.5, 1.5)
    username = "officer"

    @task(2)
    def register_api(self) -> None:
        self.client.get(
            "/api/v1/registry/ai-systems/", headers={"Authorization": f"Token {API_TOKEN}"}, name="register API"
        )

    @task(1)
    def register_page(self) -> None:
        self.page("/register/", "register page")
