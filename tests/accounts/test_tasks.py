"""Periodic account housekeeping: inline on SQLite, and through a real worker on Redis in CI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from aims.accounts import services
from aims.accounts.tasks import end_expired_access
from aims.celery import app
from tests.conftest import wait_for


def _expire(persona) -> None:
    persona.user.access_expires_on = timezone.localdate() - timedelta(days=1)
    persona.user.save(update_fields=["access_expires_on"])


def test_it_ends_only_the_sessions_of_accounts_whose_access_ended(auditor, officer) -> None:
    auditor.client(), officer.client()
    assert Session.objects.count() == 2
    _expire(auditor)
    assert services.end_expired_access() == 1
    remaining = [s.get_decoded()["_auth_user_id"] for s in Session.objects.all()]
    assert remaining == [str(officer.user.pk)]


def test_every_periodic_job_names_a_registered_task() -> None:
    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, name


@pytest.mark.services
def test_the_real_worker_ends_sessions_of_expired_accounts(celery_worker, auditor, officer) -> None:
    auditor.client(), officer.client()
    _expire(auditor)
    end_expired_access.delay()
    assert wait_for(lambda: Session.objects.count() == 1), "the worker did not run the task"
    assert Session.objects.get().get_decoded()["_auth_user_id"] == str(officer.user.pk)
