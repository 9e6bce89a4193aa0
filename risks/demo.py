"""Demo risk register of Northwind Financial: risks across the demo AI systems and the organisation, with
treatment plans, owner and committee acceptances (one of them expired), and an impact assessment for every
high-risk and limited-risk system. Runs after the registry and controls demo.

Idempotent: risks are looked up by title and assessments by system, and made only when missing, through the
services, so the demo has history and decision rows like real data. The one expired acceptance is back-dated
after it is made, because the services never accept a date in the past.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from aims.accounts.models import User
from controls.models import ControlImplementation
from registry.choices import RiskTier
from registry.models import AISystem
from risks import services
from risks.models import ImpactAssessment, Risk, RiskAcceptance

CREDIT = "CreditLens credit scoring"
NORA = "Nora customer service assistant"
SENTINEL = "Sentinel card fraud detection"
TALENT = "TalentMatch CV screening"
COMPASS = "Compass knowledge assistant"
MARKETING = "Marketing copy studio"
DOCREADER = "DocReader loan document extraction"
EMOTION = "Call-centre emotion monitor"
FINLM = "Northwind FinLM"

# (system, title, source, objectives, affected, inherent, residual, treatment, owner, actions, acceptance)
# actions: (description, owner, days from today until due, done); acceptance: owner, committee, expired, pending.
RISKS: list[dict[str, Any]] = [
    {
        "system": CREDIT,
        "title": "Credit scores disadvantage applicants by age or nationality",
        "source": "C.3.4",
        "objectives": ["C.2.5"],
        "affected": "Loan applicants, in particular older and foreign-born applicants.",
        "inherent": (4, 5),
        "residual": (3, 4),
        "treatment": "modify",
        "plan": "Quarterly fairness testing by protected attribute; remove proxy features.",
        "owner": "owner",
        "actions": [
            ("Run quarterly disparate-impact test", "owner", 20, False),
            ("Remove postcode proxy feature", "owner", -15, False),
        ],
        "acceptance": "pending",
    },
    {
        "system": CREDIT,
        "title": "Model drift after interest-rate changes degrades score quality",
        "source": "C.3.4",
        "objectives": ["C.2.8"],
        "affected": "Applicants; the bank's credit losses.",
        "inherent": (4, 4),
        "residual": (2, 3),
        "treatment": "modify",
        "plan": "Drift monitoring with Evidently; retrain trigger.",
        "owner": "owner",
        "actions": [("Alert on population stability index above 0.2", "owner", -40, True)],
        "acceptance": "owner",
    },
    {
        "system": CREDIT,
        "title": "Declined applicants cannot get an explanation of the score",
        "source": "C.3.2",
        "objectives": ["C.2.11"],
        "affected": "Declined applicants (GDPR Art. 22, CCD2).",
        "inherent": (3, 4),
        "residual": (2, 2),
        "treatment": "modify",
        "plan": "Reason codes from SHAP values in the decline letter.",
        "owner": "owner",
        "actions": [("Add top-3 reason codes to decline letters", "owner", 45, False)],
    },
    {
        "system": CREDIT,
        "title": "Bureau data errors feed wrong scores",
        "source": "C.3.4",
        "objectives": ["C.2.3"],
        "affected": "Applicants with wrong bureau entries.",
        "inherent": (3, 3),
        "residual": (2, 3),
        "treatment": "share",
        "plan": "Data quality clauses in the SCHUFA contract; dispute process.",
        "owner": "owner",
        "actions": [],
        "acceptance": "expired",
    },
    {
        "system": NORA,
        "title": "Assistant gives wrong tariff or fee information",
        "source": "C.3.1",
        "objectives": ["C.2.8", "C.2.11"],
        "affected": "Retail customers relying on the answer.",
        "inherent": (4, 3),
        "residual": (2, 3),
        "treatment": "modify",
        "plan": "Retrieval only from approved tariff sheets; disclaimers.",
        "owner": "owner",
        "actions": [("Weekly answer-accuracy sample of 50 chats", "owner", 7, False)],
        "acceptance": "owner",
    },
    {
        "system": NORA,
        "title": "Customers paste IBANs and card numbers into the chat",
        "source": "C.3.6",
        "objectives": ["C.2.7"],
        "affected": "Customers; their payment data.",
        "inherent": (5, 4),
        "residual": (2, 2),
        "treatment": "modify",
        "plan": "Gateway redaction (IBAN hash, card block) enforced fail-closed.",
        "owner": "owner",
        "actions": [("Verify redaction on every request in the evidence", "owner", -5, True)],
    },
    {
        "system": NORA,
        "title": "Prompt injection makes the assistant reveal internal instructions",
        "source": "C.3.6",
        "objectives": ["C.2.10"],
        "affected": "The bank; customers misled by manipulated answers.",
        "inherent": (3, 3),
        "residual": (2, 3),
        "treatment": "modify",
        "plan": "Blocking rules; red-team tests.",
        "owner": "owner",
        "actions": [("Quarterly red-team exercise", "officer", -3, False)],
    },
    {
        "system": NORA,
        "title": "Customers are not told they talk to an AI",
        "source": "C.3.2",
        "objectives": ["C.2.11"],
        "affected": "Retail customers (EU AI Act Art. 50(1)).",
        "inherent": (2, 3),
        "residual": (1, 2),
        "treatment": "modify",
        "plan": "Disclosure banner in the first message.",
        "owner": "owner",
        "actions": [],
        "acceptance": "owner",
    },
    {
        "system": SENTINEL,
        "title": "Legitimate card payments blocked abroad",
        "source": "C.3.1",
        "objectives": ["C.2.8"],
        "affected": "Card holders travelling abroad.",
        "inherent": (4, 2),
        "residual": (3, 2),
        "treatment": "retain",
        "plan": "Accept with the app's instant unblock.",
        "owner": "officer",
        "actions": [],
        "acceptance": "owner",
    },
    {
        "system": SENTINEL,
        "title": "Fraud model hardware failure stops scoring",
        "source": "C.3.5",
        "objectives": ["C.2.6"],
        "affected": "Card holders; the bank's fraud losses.",
        "inherent": (2, 4),
        "residual": (1, 4),
        "treatment": "modify",
        "plan": "Active-active cluster; rule-based fallback.",
        "owner": "officer",
        "actions": [("Fail-over test", "officer", 60, False)],
    },
    {
        "system": TALENT,
        "title": "CV ranking reproduces gender bias of past hiring",
        "source": "C.3.4",
        "objectives": ["C.2.5"],
        "affected": "Applicants, in particular women in technical roles.",
        "inherent": (4, 5),
        "residual": (3, 4),
        "treatment": "modify",
        "plan": "Bias audit before go-live; recruiters review all.",
        "owner": "officer",
        "actions": [
            ("Independent bias audit", "officer", 30, False),
            ("Train recruiters on automation bias", "officer", -10, False),
        ],
        "acceptance": "committee",
    },
    {
        "system": TALENT,
        "title": "Applicants' special-category data reaches the model",
        "source": "C.3.6",
        "objectives": ["C.2.7"],
        "affected": "Applicants (GDPR Art. 9).",
        "inherent": (3, 4),
        "residual": (2, 3),
        "treatment": "modify",
        "plan": "Block national ids; strip photos and dates of birth.",
        "owner": "officer",
        "actions": [("Strip photos before upload", "officer", 14, False)],
    },
    {
        "system": TALENT,
        "title": "Recruiters follow the ranking without judgement",
        "source": "C.3.3",
        "objectives": ["C.2.1"],
        "affected": "Applicants ranked low.",
        "inherent": (4, 4),
        "residual": (3, 3),
        "treatment": "modify",
        "plan": "Show the ranking only after the recruiter's own shortlist.",
        "owner": "officer",
        "actions": [],
    },
    {
        "system": COMPASS,
        "title": "Staff paste confidential client data into prompts",
        "source": "C.3.6",
        "objectives": ["C.2.7", "C.2.10"],
        "affected": "Clients; the bank's confidentiality duties.",
        "inherent": (4, 3),
        "residual": (2, 3),
        "treatment": "modify",
        "plan": "Redaction; acceptable-use training.",
        "owner": "owner",
        "actions": [("Acceptable-use e-learning for all staff", "officer", 21, False)],
    },
    {
        "system": COMPASS,
        "title": "Generated code introduces vulnerabilities",
        "source": "C.3.7",
        "objectives": ["C.2.10"],
        "affected": "Internal tools and their users.",
        "inherent": (3, 3),
        "residual": (2, 2),
        "treatment": "modify",
        "plan": "Code review and SAST on every merge.",
        "owner": "owner",
        "actions": [],
        "acceptance": "owner",
    },
    {
        "system": MARKETING,
        "title": "Generated images are not marked as AI-generated",
        "source": "C.3.2",
        "objectives": ["C.2.11"],
        "affected": "The public (EU AI Act Art. 50(4)).",
        "inherent": (3, 3),
        "residual": (1, 3),
        "treatment": "modify",
        "plan": "C2PA watermark and caption on every image.",
        "owner": "officer",
        "actions": [("Enable watermarking in the studio", "officer", -20, True)],
    },
    {
        "system": DOCREADER,
        "title": "Extraction misreads income figures",
        "source": "C.3.4",
        "objectives": ["C.2.8"],
        "affected": "Loan applicants.",
        "inherent": (3, 3),
        "residual": (2, 2),
        "treatment": "modify",
        "plan": "Credit officer checks every extracted field.",
        "owner": "owner",
        "actions": [],
    },
    {
        "system": EMOTION,
        "title": "Emotion recognition of staff is a prohibited practice",
        "source": "C.3.6",
        "objectives": ["C.2.1"],
        "affected": "Call-centre agents (EU AI Act Art. 5(1)(f)).",
        "inherent": (5, 5),
        "residual": (1, 5),
        "treatment": "avoid",
        "plan": "Stopped at inception; vendor contract not signed.",
        "owner": "officer",
        "actions": [],
        "status": "closed",
    },
    {
        "system": FINLM,
        "title": "Subsidiaries misuse the released model",
        "source": "C.3.1",
        "objectives": ["C.2.1", "C.2.9"],
        "affected": "Customers of group subsidiaries.",
        "inherent": (3, 4),
        "residual": (2, 4),
        "treatment": "share",
        "plan": "Licence terms with acceptable use; usage reporting.",
        "owner": "officer",
        "actions": [("Draft the group model licence", "officer", 40, False)],
    },
    {
        "system": FINLM,
        "title": "Training compute and energy use are not measured",
        "source": "C.3.7",
        "objectives": ["C.2.4"],
        "affected": "Society (environment).",
        "inherent": (3, 2),
        "residual": (2, 2),
        "treatment": "modify",
        "plan": "Report GPU hours and energy per training run.",
        "owner": "officer",
        "actions": [],
    },
    {
        "system": None,
        "title": "Too few staff can assess AI systems",
        "source": "C.3.7",
        "objectives": ["C.2.2"],
        "affected": "Every AI system's users; the bank.",
        "inherent": (4, 3),
        "residual": (3, 3),
        "treatment": "modify",
        "plan": "Hire two AI risk specialists; training plan.",
        "owner": "officer",
        "actions": [("Hire AI risk specialist", "officer", -30, False)],
    },
    {
        "system": None,
        "title": "Shadow AI: teams use unapproved AI tools",
        "source": "C.3.6",
        "objectives": ["C.2.1", "C.2.7"],
        "affected": "Customers and staff whose data reaches unapproved tools.",
        "inherent": (4, 4),
        "residual": (2, 4),
        "treatment": "modify",
        "plan": "All AI traffic through the gateway; block other endpoints at the proxy.",
        "owner": "officer",
        "actions": [("Block non-gateway AI endpoints at the web proxy", "officer", 10, False)],
    },
]

ASSESSMENTS: dict[str, list[dict[str, str]]] = {
    CREDIT: [
        {
            "area": "fairness",
            "scope": "groups",
            "affected": "Older and foreign-born applicants",
            "description": "Scores may be lower for groups under-represented in past approvals.",
            "severity": "major",
            "mitigations": "Fairness tests each quarter; human review near the cut-off.",
        },
        {
            "area": "access",
            "scope": "individuals",
            "affected": "Declined applicants",
            "description": "A wrong decline denies credit and may harm finances.",
            "severity": "major",
            "mitigations": "Reason codes, appeal to a credit officer.",
        },
        {
            "area": "society",
            "scope": "society",
            "affected": "Consumers in the region",
            "description": "Systematic exclusion from credit affects financial inclusion.",
            "severity": "moderate",
            "mitigations": "Annual inclusion report to the committee.",
        },
    ],
    TALENT: [
        {
            "area": "fairness",
            "scope": "groups",
            "affected": "Women and older applicants",
            "description": "Ranking can reproduce historical hiring bias.",
            "severity": "severe",
            "mitigations": "Bias audit; no automatic rejection.",
        },
        {
            "area": "privacy",
            "scope": "individuals",
            "affected": "Applicants",
            "description": "CVs contain special-category data.",
            "severity": "moderate",
            "mitigations": "Redaction of identifiers; retention of 6 months.",
        },
    ],
    NORA: [
        {
            "area": "transparency",
            "scope": "individuals",
            "affected": "Retail customers",
            "description": "Customers may not realise they talk to an AI.",
            "severity": "minor",
            "mitigations": "Disclosure in the first message; hand-over to an agent on request.",
        },
        {
            "area": "privacy",
            "scope": "individuals",
            "affected": "Retail customers",
            "description": "Payment data typed into the chat.",
            "severity": "moderate",
            "mitigations": "Redaction at the gateway, fail-closed.",
        },
    ],
    COMPASS: [
        {
            "area": "privacy",
            "scope": "individuals",
            "affected": "Clients named in prompts",
            "description": "Client data may reach the model provider.",
            "severity": "moderate",
            "mitigations": "Redaction; EU hosting; no training on prompts.",
        },
    ],
    MARKETING: [
        {
            "area": "society",
            "scope": "society",
            "affected": "The public",
            "description": "Unmarked synthetic images can mislead.",
            "severity": "minor",
            "mitigations": "Watermark and caption on every image.",
        },
        {
            "area": "environment",
            "scope": "society",
            "affected": "Society",
            "description": "Image generation uses energy at scale.",
            "severity": "negligible",
            "mitigations": "Batch generation; usage reporting.",
        },
    ],
}


def _risks(users: dict[str, User], systems: dict[str, AISystem], today: Any) -> None:
    officer, committee = users["officer"], users["committee"]
    controls = list(ControlImplementation.objects.order_by("code")[:3])
    for index, spec in enumerate(RISKS):
        if Risk.objects.filter(title=spec["title"]).exists():
            continue
        system = systems.get(spec["system"]) if spec["system"] else None
        if spec["system"] and system is None:
            continue  # the registry demo did not run
        owner = users[spec["owner"]]
        (il, ii), (rl, ri) = spec["inherent"], spec["residual"]
        risk = services.create_risk(
            user=officer,
            reason="Demo data",
            controls=controls[: index % 3] if controls else None,
            title=spec["title"],
            ai_system=system,
            source=spec["source"],
            objectives=spec["objectives"],
            affected_parties=spec["affected"],
            inherent_likelihood=il,
            inherent_impact=ii,
            existing_controls="Gateway policy and the model allow-list." if system else "",
            residual_likelihood=rl,
            residual_impact=ri,
            treatment=spec["treatment"],
            treatment_plan=spec["plan"],
            owner=owner,
            review_on=today + timedelta(days=30 + 7 * index),
            status=spec.get("status", "open"),
        )
        for description, action_owner, days, done in spec["actions"]:
            action = services.add_action(
                risk=risk,
                user=officer,
                description=description,
                owner=users[action_owner],
                due_on=today + timedelta(days=days),
            )
            if done:
                services.complete_action(action=action, user=officer, completed_on=today - timedelta(days=1))
        acceptance = spec.get("acceptance")
        if acceptance in {"owner", "expired"}:
            accepted = services.accept_as_owner(
                risk=risk, user=owner, expires_on=today + timedelta(days=180), rationale="Within the owner's appetite."
            )
            if acceptance == "expired":
                # Back-dated for the demo: the services never accept an expiry in the past.
                past = today - timedelta(days=3)
                RiskAcceptance.objects.filter(pk=accepted.pk).update(expires_on=past)
                Risk.objects.filter(pk=risk.pk).update(accepted_until=past)
        elif acceptance in {"committee", "pending"}:
            pending = services.request_acceptance(
                risk=risk,
                user=officer,
                expires_on=today + timedelta(days=365),
                note="Residual above the owner's threshold.",
            )
            if acceptance == "committee":
                services.decide_acceptance(
                    risk=risk,
                    user=committee,
                    approve=True,
                    rationale="Accepted for one year while the bias audit runs; recruiters review every ranking.",
                    expires_on=pending.expires_on,
                )


def _assessments(users: dict[str, User], today: Any) -> None:
    officer, committee = users["officer"], users["committee"]
    systems = AISystem.objects.filter(risk_tier__in=[RiskTier.HIGH, RiskTier.LIMITED]).select_related("owner")
    for system in systems:
        if ImpactAssessment.objects.filter(ai_system=system).exists():
            continue
        assessment = services.create_impact_assessment(
            user=officer,
            ai_system=system,
            reason="Demo data",
            summary=f"{system.purpose}",
            affected_stakeholders="Customers, applicants or staff the system decides about or talks to; society.",
            next_review_on=today + timedelta(days=365),
        )
        impacts = ASSESSMENTS.get(system.name) or [
            {
                "area": "transparency",
                "scope": "individuals",
                "affected": "Users of the system",
                "description": "People may not know an AI is involved.",
                "severity": "minor",
                "mitigations": "Disclosure to users.",
            }
        ]
        for impact in impacts:
            services.add_impact(assessment=assessment, user=officer, **impact)
        if system.name == COMPASS:
            continue  # left as a draft, to show one
        services.request_signoff(assessment=assessment, user=officer, note="Demo: please review.")
        services.decide_signoff(
            assessment=assessment, user=committee, approve=True, rationale="Impacts and mitigations are proportionate."
        )
    # One system changed after sign-off, to show an assessment due for review.
    marketing = ImpactAssessment.objects.filter(ai_system__name=MARKETING, status="signed_off").first()
    if marketing is not None:
        services.mark_impact_assessments_due(
            [marketing.ai_system_id], f"{MARKETING}: image generation added to the purpose"
        )


def seed() -> dict[str, int]:
    users = {u.username: u for u in User.objects.filter(username__in=["officer", "owner", "committee"])}
    if len(users) < 3:
        return {"risks": Risk.objects.count()}
    today = timezone.localdate()
    systems = {s.name: s for s in AISystem.objects.all()}
    _risks(users, systems, today)
    _assessments(users, today)
    return {"risks": Risk.objects.count(), "impact_assessments": ImpactAssessment.objects.count()}
