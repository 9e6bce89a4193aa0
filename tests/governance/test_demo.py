"""The demo management system: every record kind is there, and seeding twice changes nothing."""

from __future__ import annotations

from django.test import Client

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


def test_every_demo_record_page_renders_for_a_reader(db) -> None:
    from django.urls import reverse

    from aims.accounts.models import User
    from aims.governance.resources import RESOURCES, TOP_LEVEL

    accounts_demo.seed()
    registry_demo.seed()
    demo.seed()
    client = Client()
    client.force_login(User.objects.get(username="auditor"))
    for resource in TOP_LEVEL:
        assert client.get(reverse(f"governance:{resource.slug}-list")).status_code == 200, resource.slug
    for resource in RESOURCES:
        for obj in resource.model._default_manager.all()[:3]:
            for page in ("detail", "history"):
                url = reverse(f"governance:{resource.slug}-{page}", kwargs={"pk": obj.pk})
                assert client.get(url).status_code == 200, url
    for name in ("governance:index", "governance:scope", "governance:scope-history", "governance:concern-list"):
        assert client.get(reverse(name)).status_code == 200, name
