"""Rollup rows written directly, for tests of what the dashboard presents (expansion writes them in production)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from evidence.choices import Granularity
from evidence.models import EvidenceSource, Rollup, RuleRollup


def day_bucket(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def rollup(source: EvidenceSource, day: date, **fields: Any) -> Rollup:
    values = {
        "granularity": Granularity.DAY,
        "bucket": day_bucket(day),
        "source": source,
        "use_case": "support-chat",
        "model": "gpt-4o-mini",
        "decision": "allow",
        "revision": "ab" * 32,
        "events": 1,
    }
    values.update(fields)
    return Rollup.objects.create(**values)


def rule_rollup(source: EvidenceSource, day: date, **fields: Any) -> RuleRollup:
    values = {
        "granularity": Granularity.DAY,
        "bucket": day_bucket(day),
        "source": source,
        "use_case": "support-chat",
        "rule_id": "pii.block",
        "decision": "block",
        "events": 1,
    }
    values.update(fields)
    return RuleRollup.objects.create(**values)
