"""factory_boy factories for the management system. They write rows directly; behaviour tests use services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from aims.governance import models as m
from tests.factories import UserFactory


class ContextIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ContextIssue

    kind = "external"
    title = factory.Sequence(lambda n: f"Issue {n}")


class InterestedPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.InterestedParty

    name = factory.Sequence(lambda n: f"Party {n}")
    requirements = "Fair AI."


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Document

    title = factory.Sequence(lambda n: f"Document {n}")
    kind = "policy"
    owner = factory.SubFactory(UserFactory)
    next_review_on = date(2027, 6, 30)


class DocumentVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.DocumentVersion

    document = factory.SubFactory(DocumentFactory)
    number = 1
    body = "# Policy\n\nText."
    created_by = factory.SubFactory(UserFactory)


class ResponsibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ResponsibilityAssignment

    activity = factory.Sequence(lambda n: f"Activity {n}")
    person = factory.SubFactory(UserFactory)
    responsibility = "R"


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.TrainingRecord

    person = factory.SubFactory(UserFactory)
    course = "AI literacy"
    completed_on = date(2026, 1, 15)
    due_again_on = date(2027, 1, 15)


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Objective

    title = factory.Sequence(lambda n: f"Objective {n}")
    owner = factory.SubFactory(UserFactory)
    target = "All of it"
    due_on = date(2027, 6, 30)


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Kpi

    objective = factory.SubFactory(ObjectiveFactory)
    name = factory.Sequence(lambda n: f"KPI {n}")
    target_value = Decimal("90")


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Incident

    title = factory.Sequence(lambda n: f"Incident {n}")
    description = "Something went wrong."
    severity = "medium"
    aware_at = factory.LazyFunction(timezone.now)
    owner = factory.SubFactory(UserFactory)


class IncidentCommunicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.IncidentCommunication

    incident = factory.SubFactory(IncidentFactory)
    direction = "outgoing"
    party = "Authority"
    at = factory.LazyFunction(timezone.now)
    summary = "Initial report."
    recorded_by = factory.SubFactory(UserFactory)


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Concern

    summary = factory.Sequence(lambda n: f"Concern {n}")
    details = "Details."
    confidentiality = "confidential"
    reporter = factory.SubFactory(UserFactory)


class AuditProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.AuditProgramme

    title = factory.Sequence(lambda n: f"Programme {n}")
    period_start = date(2026, 1, 1)
    period_end = date(2026, 12, 31)


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Audit
        skip_postgeneration_save = True

    programme = factory.SubFactory(AuditProgrammeFactory)
    title = factory.Sequence(lambda n: f"Audit {n}")
    scope = "Clause 6"
    criteria = "ISO/IEC 42001"
    period_start = date(2026, 3, 1)
    period_end = date(2026, 3, 5)


class AuditFindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.AuditFinding

    audit = factory.SubFactory(AuditFactory)
    grade = "minor"
    description = "Thresholds not documented."


class NonconformityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Nonconformity

    title = factory.Sequence(lambda n: f"Nonconformity {n}")
    description = "A gap."
    source = "other"
    owner = factory.SubFactory(UserFactory)
    raised_on = date(2026, 4, 1)


class CorrectiveActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.CorrectiveAction

    nonconformity = factory.SubFactory(NonconformityFactory)
    description = "Fix it."
    owner = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class ManagementReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ManagementReview

    title = factory.Sequence(lambda n: f"Review {n}")
    held_on = date(2026, 6, 1)
    inputs = factory.LazyFunction(dict)
    inputs_assembled_at = factory.LazyFunction(timezone.now)
    created_by = factory.SubFactory(UserFactory)


class ReviewActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ReviewAction

    review = factory.SubFactory(ManagementReviewFactory)
    description = "Do better."
    owner = factory.SubFactory(UserFactory)
    due_on = date(2026, 9, 1)


FACTORIES = {
    "issue": ContextIssueFactory,
    "party": InterestedPartyFactory,
    "document": DocumentFactory,
    "version": DocumentVersionFactory,
    "responsibility": ResponsibilityFactory,
    "training": TrainingRecordFactory,
    "objective": ObjectiveFactory,
    "kpi": KpiFactory,
    "incident": IncidentFactory,
    "communication": IncidentCommunicationFactory,
    "programme": AuditProgrammeFactory,
    "audit": AuditFactory,
    "finding": AuditFindingFactory,
    "nonconformity": NonconformityFactory,
    "action": CorrectiveActionFactory,
    "review": ManagementReviewFactory,
    "review-action": ReviewActionFactory,
}
