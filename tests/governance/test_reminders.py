"""Reminders: the beat tasks find what falls due, show it in "My work", and mail it once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from aims.governance import reminders, tasks
from aims.governance.choices import ReminderKind
from aims.governance.models import Reminder
from tests.conftest import wait_for
from tests.governance.factories import (
    CorrectiveActionFactory,
    DocumentFactory,
    IncidentFactory,
    TrainingRecordFactory,
)
from tests.registry.factories import AISystemFactory


def test_a_document_review_falling_due_is_mailed_once_and_listed_in_my_work(owner) -> None:
    DocumentFactory(owner=owner.user, title="AI policy", next_review_on=timezone.localdate() + timedelta(days=3))
    assert tasks.remind_reviews_due() == 1
    assert tasks.remind_reviews_due() == 0  # idempotent: the same reminder is never made twice
    assert len(mail.outbox) == 1
    assert "AI policy" in mail.outbox[0].subject and mail.outbox[0].to == [owner.user.email]
    page = owner.client().get(reverse("governance:my-work"))
    assert "AI policy" in page.content.decode()


def test_ai_system_reviews_come_from_the_register(owner) -> None:
    AISystemFactory(owner=owner.user, name="CreditLens", next_review_on=timezone.localdate() + timedelta(days=1))
    AISystemFactory(owner=owner.user, name="Later", next_review_on=timezone.localdate() + timedelta(days=90))
    tasks.remind_reviews_due()
    assert list(Reminder.objects.values_list("kind", "subject_label")) == [(ReminderKind.SYSTEM_REVIEW, "CreditLens")]


def test_overdue_actions_training_deadlines_and_expiring_access(owner, officer, auditor) -> None:
    today = timezone.localdate()
    CorrectiveActionFactory(owner=owner.user, due_on=today - timedelta(days=1))
    CorrectiveActionFactory(owner=owner.user, due_on=today + timedelta(days=10))
    TrainingRecordFactory(
        person=owner.user, completed_on=today - timedelta(days=360), due_again_on=today + timedelta(days=5)
    )
    IncidentFactory(owner=officer.user, serious=True, serious_case="widespread_or_critical")
    IncidentFactory(owner=officer.user, serious=True, serious_case="general", reported_to_authority_at=timezone.now())
    assert tasks.remind_overdue_actions() == 1
    assert tasks.remind_training_due() == 1
    assert tasks.remind_incident_deadlines() == 1
    assert tasks.remind_expiring_access() == 0  # the auditor's access runs 30 days, past the 14-day lead
    auditor.user.access_expires_on = today + timedelta(days=7)
    auditor.user.save()
    assert tasks.remind_expiring_access() == 1
    kinds = {(r.user.username, r.kind) for r in Reminder.objects.select_related("user")}
    assert kinds == {
        ("owner", ReminderKind.ACTION_OVERDUE),
        ("owner", ReminderKind.TRAINING_DUE),
        ("officer", ReminderKind.INCIDENT_DEADLINE),
        ("auditor", ReminderKind.ACCESS_EXPIRING),
    }
    assert len(mail.outbox) == 4


def test_a_taken_refresher_replaces_the_older_due_date(owner) -> None:
    today = timezone.localdate()
    TrainingRecordFactory(
        person=owner.user, completed_on=today - timedelta(days=400), due_again_on=today - timedelta(days=35)
    )
    TrainingRecordFactory(
        person=owner.user, completed_on=today - timedelta(days=30), due_again_on=today + timedelta(days=335)
    )
    assert tasks.remind_training_due() == 0


def test_risk_reminders_wait_for_the_risks_app(db, monkeypatch) -> None:
    def missing(label: str) -> None:
        raise LookupError(label)

    monkeypatch.setattr(reminders.apps, "get_model", missing)
    assert list(reminders.risk_reviews(timezone.localdate())) == []


def test_my_work_is_personal_and_open_to_people_without_a_role(outsider, owner) -> None:
    Reminder.objects.create(
        user=owner.user,
        kind=ReminderKind.TRAINING_DUE,
        subject_key="t",
        subject_label="Owner's course",
        due_on=timezone.localdate(),
    )
    page = outsider.client().get(reverse("governance:my-work"))
    assert page.status_code == 200 and "Owner's course" not in page.content.decode()


@pytest.mark.services
def test_the_reminder_task_runs_on_a_real_worker(celery_worker, owner) -> None:
    DocumentFactory(owner=owner.user, next_review_on=timezone.localdate())
    tasks.remind_reviews_due.delay()
    assert wait_for(lambda: Reminder.objects.filter(user=owner.user).exists())


def test_a_reviewed_document_leaves_my_work_and_its_next_review_is_reminded_later(owner) -> None:
    from aims.governance import services

    document = DocumentFactory(owner=owner.user, next_review_on=timezone.localdate())
    tasks.remind_reviews_due()
    assert owner.client().get(reverse("governance:my-work")).context["reminders"].count() == 1
    services.mark_document_reviewed(document=document, user=owner.user)
    tasks.remind_reviews_due()
    assert owner.client().get(reverse("governance:my-work")).context["reminders"].count() == 0
    assert len(mail.outbox) == 1
