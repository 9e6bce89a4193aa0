"""factory_boy factories for the risks app. They write rows directly; tests of behaviour go through services."""

from __future__ import annotations

from datetime import date

import factory

from aims.core.choices import DecisionKind
from risks.models import Impact, ImpactAssessment, Risk, RiskCriteria, TreatmentAction
from tests.factories import DecisionFactory, UserFactory
from tests.registry.factories import AISystemFactory


def criteria_in_force() -> RiskCriteria:
    return RiskCriteria.objects.get(in_force=True)


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Risk {n}")
    ai_system = factory.SubFactory(AISystemFactory)
    source = "C.3.4"
    objectives = ["C.2.5"]
    affected_parties = "Loan applicants."
    criteria = factory.LazyFunction(criteria_in_force)
    inherent_likelihood = 4
    inherent_impact = 4
    residual_likelihood = 2
    residual_impact = 3
    owner = factory.LazyAttribute(lambda r: r.ai_system.owner if r.ai_system else UserFactory())
    review_on = date(2027, 6, 30)

    @factory.post_generation
    def scored(self, create: bool, extracted: object, **kwargs: object) -> None:
        self.recalculate()
        if create:
            self.save()


class TreatmentActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatmentAction

    risk = factory.SubFactory(RiskFactory)
    description = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.LazyAttribute(lambda a: a.risk.owner)
    due_on = date(2027, 1, 31)


class ImpactAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImpactAssessment

    ai_system = factory.SubFactory(AISystemFactory)
    summary = "Scores loan applications for credit officers."
    affected_stakeholders = "Applicants."
    next_review_on = date(2027, 6, 30)
    prepared_by = factory.LazyAttribute(lambda a: a.ai_system.owner)


class ImpactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Impact

    assessment = factory.SubFactory(ImpactAssessmentFactory)
    area = "fairness"
    scope = "groups"
    affected = "Older applicants"
    description = "Lower scores for older applicants."
    severity = "major"
    mitigations = "Quarterly fairness tests."


def pending_acceptance_decision(risk: Risk, requested_by) -> object:
    """A pending RISK_ACCEPTANCE decision with its acceptance row, as request_acceptance makes them."""
    from risks.models import RiskAcceptance

    decision = DecisionFactory(
        kind=DecisionKind.RISK_ACCEPTANCE, subject_obj=risk, subject_version="history:1", requested_by=requested_by
    )
    RiskAcceptance.objects.create(
        risk=risk,
        decision=decision,
        acceptor="committee",
        level=risk.level,
        residual_likelihood=risk.residual_likelihood,
        residual_impact=risk.residual_impact,
        criteria_version=risk.criteria.version,
        expires_on=date(2030, 1, 1),
        requested_by=requested_by,
    )
    Risk.objects.filter(pk=risk.pk).update(status="acceptance_pending")
    return decision


def pending_signoff_decision(assessment: ImpactAssessment, requested_by) -> object:
    ImpactFactory(assessment=assessment)
    ImpactAssessment.objects.filter(pk=assessment.pk).update(status="signoff_pending")
    return DecisionFactory(
        kind=DecisionKind.IMPACT_ASSESSMENT,
        subject_obj=assessment,
        subject_version="history:1",
        requested_by=requested_by,
    )
