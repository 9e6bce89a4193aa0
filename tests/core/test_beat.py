"""Every periodic job on beat names a task the worker knows: a typo would silently never run."""

from __future__ import annotations

from django.conf import settings

from aims.celery import app


def test_every_beat_entry_names_a_registered_task() -> None:
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"evidence.tasks.sign_checkpoints", "evidence.tasks.run_control_checks"} <= scheduled
    assert sorted(task for task in scheduled if task not in app.tasks) == []
