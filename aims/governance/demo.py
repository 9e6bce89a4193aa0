"""Demo governance data: the organisation profile (approved), and a working management system around it:
scope, context, documents (the AI policy approved under four eyes), people, objectives with KPIs, an incident
with its Art. 73 deadline, a concern, an audit with findings, a nonconformity, and a management review whose
inputs are assembled from all of it. Idempotent: each part is made only when missing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from aims.accounts.models import User
from aims.core import services as core_services
from aims.core.choices import DecisionKind
from aims.core.models import Decision
from aims.governance import services
from aims.governance.models import (
    AimsScope,
    AuditFinding,
    AuditProgramme,
    Concern,
    ContextIssue,
    CorrectiveAction,
    Document,
    Incident,
    InterestedParty,
    Kpi,
    ManagementReview,
    Objective,
    OrganisationProfile,
    ResponsibilityAssignment,
    TrainingRecord,
)

AI_POLICY = """# Northwind AI policy

Northwind uses AI only where it serves customers and staff, and only under this policy.

## Commitments
- Every AI system is **registered**, classified under the EU AI Act and owned by a named person.
- Personal data sent to AI models is *redacted* by the gateway, as the approved policy bundle says.
- Only approved models are used; see the [model catalog](https://aims.northwind.example/register/models/).

## Roles
1. The governance officer keeps this AIMS.
2. The committee approves policies, risk acceptance and management reviews.
"""


def seed() -> OrganisationProfile:
    officer = User.objects.get(username="officer")
    committee = User.objects.get(username="committee")
    profile = OrganisationProfile.objects.first()
    if profile is None:
        profile = services.update_organisation_profile(
            user=officer,
            reason="Initial profile",
            name="Northwind Financial",
            legal_name="Northwind Financial Services AG",
            sector="finance",
            country="DE",
            purpose=(
                "Northwind uses AI in credit decisions, customer service and fraud detection. The AIMS makes "
                "sure each system is registered, assessed, controlled and evidenced under ISO/IEC 42001 and "
                "the EU AI Act."
            ),
            aims_contact_email="aims@northwind.example",
        )
    if not Decision.objects.filter(kind=DecisionKind.ORGANISATION_PROFILE).exists():
        decision = services.request_profile_approval(profile=profile, user=officer, note="First approval.")
        core_services.decide(decision=decision, user=committee, approve=True, rationale="Reflects our scope.")
    seed_management_system(officer=officer, committee=committee)
    return profile


def _create(model: Any, officer: User, **fields: Any) -> Any:
    return services.create_record(model=model, user=officer, reason="Demo data", **fields)


def seed_management_system(*, officer: User, committee: User) -> dict[str, int]:
    from registry.models import AISystem

    owner = User.objects.filter(username="owner").first() or officer
    auditor = User.objects.filter(username="auditor").first() or officer
    today = timezone.localdate()
    now = timezone.now()
    systems = list(AISystem.objects.order_by("name"))

    if not AimsScope.objects.exists():
        _create(
            AimsScope,
            officer,
            statement="The AIMS covers the AI systems Northwind develops or uses in retail lending, customer "
            "service and fraud detection in Germany and Austria.",
            boundaries="Retail Lending, Customer Service and Fraud units; the LiteLLM gateway.",
            exclusions_justification="Research prototypes that never process customer data are out of scope.",
            systems_in_scope=systems[:-1] if len(systems) > 1 else systems,
            systems_out_of_scope=systems[-1:] if len(systems) > 1 else [],
        )
    if not ContextIssue.objects.exists():
        _create(
            ContextIssue,
            officer,
            kind="external",
            title="EU AI Act high-risk obligations apply",
            description="Credit scoring is an Annex III high-risk use.",
            effect="Provider/deployer duties.",
        )
        _create(
            ContextIssue,
            officer,
            kind="internal",
            title="Limited ML engineering capacity",
            description="Two engineers maintain all models.",
            effect="Slower remediation.",
        )
    if not InterestedParty.objects.exists():
        _create(InterestedParty, officer, name="BaFin", requirements="Sound AI governance in credit decisions.")
        _create(InterestedParty, officer, name="Customers", requirements="Fair decisions and an explanation.")

    if not Document.objects.exists():
        policy = _create(
            Document,
            officer,
            title="AI policy",
            kind="ai_policy",
            owner=officer,
            review_interval_months=12,
            next_review_on=today + timedelta(days=10),
        )
        version = services.add_document_version(
            document=policy, user=officer, body=AI_POLICY, change_summary="First issue"
        )
        decision = services.request_document_approval(version=version, user=officer, note="Demo")
        core_services.decide(decision=decision, user=committee, approve=True, rationale="Approved for issue.")
        procedure = _create(
            Document,
            officer,
            title="Incident handling procedure",
            kind="procedure",
            owner=owner,
            review_interval_months=12,
            next_review_on=today + timedelta(days=200),
        )
        services.add_document_version(
            document=procedure,
            user=officer,
            change_summary="Draft",
            body="# Incident handling\n\n1. Record the incident.\n2. Assess seriousness.",
        )

    if not ResponsibilityAssignment.objects.exists():
        _create(ResponsibilityAssignment, officer, activity="Risk assessment", person=officer, responsibility="A")
        if systems:
            _create(
                ResponsibilityAssignment,
                officer,
                activity="Human oversight",
                ai_system=systems[0],
                person=owner,
                responsibility="R",
            )
    if not TrainingRecord.objects.exists():
        _create(
            TrainingRecord,
            officer,
            person=owner,
            course="AI literacy basics",
            kind="ai_literacy",
            completed_on=today - timedelta(days=350),
            due_again_on=today + timedelta(days=15),
        )
        _create(
            TrainingRecord,
            officer,
            person=officer,
            course="ISO/IEC 42001 implementer",
            kind="competence",
            completed_on=today - timedelta(days=100),
        )

    if not Objective.objects.exists():
        redaction = _create(
            Objective,
            officer,
            title="Redact personal data in every AI request",
            owner=officer,
            target="100% of requests to use cases that need it are redacted",
            due_on=today + timedelta(days=90),
            status="on_track",
        )
        kpi = _create(
            Kpi,
            officer,
            objective=redaction,
            name="Redaction coverage",
            source="evidence_metric",
            metric_name="redaction_executed_ratio",
            unit="%",
            target_value=Decimal("100"),
            direction="at_least",
        )
        services.record_kpi_value(kpi=kpi, user=officer, value=Decimal("97.5"), measured_on=today - timedelta(days=30))
        services.record_kpi_value(kpi=kpi, user=officer, value=Decimal("100"), measured_on=today)
        literacy = _create(
            Objective,
            officer,
            title="AI literacy for all AI users",
            owner=owner,
            target="Every person using AI has completed AI literacy training",
            due_on=today + timedelta(days=180),
            status="at_risk",
        )
        kpi = _create(
            Kpi,
            officer,
            objective=literacy,
            name="Staff trained",
            source="manual",
            unit="%",
            target_value=Decimal("95"),
            direction="at_least",
        )
        services.record_kpi_value(kpi=kpi, user=officer, value=Decimal("60"), measured_on=today)

    if not Incident.objects.exists():
        serious = _create(
            Incident,
            officer,
            title="Credit model refused applicants by postcode",
            description="A drift in the scoring model correlated refusals with postcode.",
            severity="high",
            status="investigating",
            aware_at=now - timedelta(days=3),
            serious=True,
            serious_case="general",
            owner=officer,
            ai_systems=systems[:1],
        )
        _create(
            Incident,
            officer,
            title="Chatbot gave a wrong opening time",
            description="Minor error.",
            severity="low",
            aware_at=now - timedelta(days=20),
            owner=owner,
        )
        from aims.governance.models import IncidentCommunication

        _create(
            IncidentCommunication,
            officer,
            incident=serious,
            direction="outgoing",
            party="Model provider",
            at=now - timedelta(days=2),
            summary="Informed the provider (Art. 26(5)).",
        )
    if not Concern.objects.exists():
        services.raise_concern(
            user=owner,
            summary="Scoring explanations are unclear",
            details="Customers cannot follow the reasons given.",
            ai_system=systems[0] if systems else None,
            confidentiality="confidential",
        )

    if not AuditProgramme.objects.exists():
        programme = _create(
            AuditProgramme,
            officer,
            title=f"Internal audit programme {today.year}",
            period_start=today.replace(month=1, day=1),
            period_end=today.replace(month=12, day=31),
            approach="Each clause and each applicable Annex A control once a year.",
        )
        from aims.governance.models import Audit

        audit = _create(
            Audit,
            officer,
            programme=programme,
            title="Clauses 6 and 8; Annex A.6",
            scope="Risk assessment and the AI life cycle in Retail Lending.",
            criteria="ISO/IEC 42001 clauses 6 and 8, Annex A.6.",
            period_start=today - timedelta(days=40),
            period_end=today - timedelta(days=35),
            auditors=[auditor],
            status="reported",
            conclusion="The AIMS conforms, with one minor nonconformity.",
        )
        minor = _create(
            AuditFinding,
            officer,
            audit=audit,
            grade="minor",
            reference="A.6.2.6",
            description="Model monitoring thresholds are not documented.",
        )
        _create(
            AuditFinding,
            officer,
            audit=audit,
            grade="opportunity",
            reference="8.2",
            description="Risk reviews could reuse the evidence dashboard.",
        )
        nc = services.raise_nonconformity_from_finding(finding=minor, user=officer, owner=owner)
        services.update_record(
            obj=nc,
            user=officer,
            reason="Demo data",
            root_cause="No template asked for thresholds.",
            status="actions_planned",
        )
        _create(
            CorrectiveAction,
            officer,
            nonconformity=nc,
            description="Add thresholds to the model card template.",
            owner=owner,
            due_on=today - timedelta(days=5),
        )

    if not ManagementReview.objects.exists():
        services.create_management_review(
            user=officer,
            title=f"Management review {today.year}",
            held_on=today,
            attendees="CEO, CRO, governance officer",
        )
    return {"objectives": Objective.objects.count(), "incidents": Incident.objects.count()}
