"""The demo management system: every record kind is there, and seeding twice changes nothing."""

from __future__ import annotations

from aims.accounts import demo as accounts_demo
from aims.governance import demo
from aims.governance import models as m
from aims.governance.choices import DocumentVersionStatus
from registry import demo as registry_demo


def test_the_demo_seeds_each_record_once(db) -> None:
    accounts_demo.seed()
    registry_demo.seed()
    demo.seed()
    counts = {
        model.__name__: model.objects.count()
        for model in (m.Objective, m.Incident, m.Document, m.Audit, m.Nonconformity, m.Concern, m.ManagementReview)
    }
    demo.seed()
    assert counts == {
        model.__name__: model.objects.count()
        for model in (m.Objective, m.Incident, m.Document, m.Audit, m.Nonconformity, m.Concern, m.ManagementReview)
    }
    assert all(counts.values())
    assert m.Document.objects.get(title="AI policy").approved_version.status == DocumentVersionStatus.APPROVED
    assert m.AimsScope.objects.get().systems_in_scope.exists()
    review = m.ManagementReview.objects.get()
    assert review.inputs["objective_progress"]["by_status"] == {"at_risk": 1, "on_track": 1}
    assert review.inputs["nonconformities_and_incidents"]["serious_incidents"] == 1
    assert m.Incident.objects.get(serious=True).deadline.days == 15
