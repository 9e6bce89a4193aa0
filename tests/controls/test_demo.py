"""The demo SoA: every Annex A control justified, controls covering the register, version 1 approved with four
eyes, a draft that differs from it, and evidence of which some has expired. Seeding twice changes nothing."""

from __future__ import annotations

from aims.accounts import demo as accounts_demo
from aims.core.choices import DecisionStatus
from aims.governance import demo as governance_demo
from controls import demo, selectors, services
from controls.choices import ControlStatus
from controls.models import ControlImplementation, SoAEntry, SoAVersion
from registry import demo as registry_demo
from registry.models import AISystem


def test_the_demo_soa_shows_every_status_and_seeds_once(db, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    accounts_demo.seed()
    governance_demo.seed()
    registry_demo.seed()

    first = demo.seed()
    history = SoAEntry.history.count()
    second = demo.seed()

    assert second["catalog_changed"] == 0
    assert {**first, "catalog_changed": 0} == second and SoAEntry.history.count() == history
    assert SoAEntry.objects.filter(requirement__isnull=False).exclude(justification="").count() == 38
    version = SoAVersion.objects.get()
    assert version.number == 1 and version.decision.status == DecisionStatus.APPROVED
    assert version.decision.requested_by != version.decision.decided_by
    diff = selectors.diff_rows(version.rows, services.snapshot_rows())
    assert diff.added and diff.changed
    covered = set(ControlImplementation.objects.values_list("ai_systems__name", flat=True))
    assert set(AISystem.objects.values_list("name", flat=True)) <= covered
    statuses = {row.status for row in selectors.soa_rows(SoAEntry.objects.all())}
    assert {ControlStatus.OPERATING, ControlStatus.STALE, ControlStatus.FAILING} <= statuses
