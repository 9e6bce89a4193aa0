"""Demo register of Northwind Financial, a German bank: suppliers with assessments, AI systems across every EU AI
Act tier, their use cases, and a model catalog with approved, pending, rejected and unrequested models.

Idempotent: each entry is looked up by its natural key (name, use-case key, provider and gateway name) and made
only when missing, through the services, so the demo has history and decision rows like real data.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from aims.accounts.models import User
from aims.core import services as core_services
from registry import services
from registry.choices import ModelApprovalStatus, RiskTier
from registry.models import AISystem, CatalogModel, Supplier, UseCase

SUPPLIERS: list[dict[str, Any]] = [
    {
        "name": "Microsoft Ireland (Azure OpenAI)",
        "kind": "model_provider",
        "country": "IE",
        "critical": True,
        "services": "Azure OpenAI Service in Sweden Central and Germany West Central; EU data boundary.",
        "contact_email": "enterprise@microsoft.example",
    },
    {
        "name": "Mistral AI",
        "kind": "model_provider",
        "country": "FR",
        "critical": False,
        "services": "Mistral models through La Plateforme, hosted in the EU.",
        "contact_email": "sales@mistral.example",
    },
    {
        "name": "Anthropic",
        "kind": "model_provider",
        "country": "US",
        "critical": False,
        "services": "Claude models through the API (US hosting).",
        "contact_email": "sales@anthropic.example",
    },
    {
        "name": "Google Cloud EMEA",
        "kind": "model_provider",
        "country": "IE",
        "critical": False,
        "services": "Gemini models on Vertex AI.",
        "contact_email": "cloud@google.example",
    },
    {
        "name": "SCHUFA Holding AG",
        "kind": "data",
        "country": "DE",
        "critical": True,
        "services": "Credit bureau data used as features of credit scoring.",
        "contact_email": "b2b@schufa.example",
    },
    {
        "name": "Nordcloud Hosting GmbH",
        "kind": "cloud",
        "country": "DE",
        "critical": True,
        "services": "GPU hosting in Frankfurt for self-hosted models.",
        "contact_email": "ops@nordcloud.example",
    },
]

ASSESSMENTS: dict[str, list[tuple[int, str, int, str]]] = {
    # supplier: (days ago, outcome, months until next, notes)
    "Microsoft Ireland (Azure OpenAI)": [
        (400, "conditional", 12, "DPA signed; abuse monitoring opt-out pending."),
        (35, "approved", 12, "Abuse monitoring opt-out granted; EU data boundary."),
    ],
    "Mistral AI": [(120, "approved", 12, "EU hosting, DPA and SCCs not needed.")],
    "Anthropic": [(60, "conditional", 6, "US hosting: transfer impact assessment required before personal data.")],
    "Google Cloud EMEA": [(90, "rejected", 6, "Could not confirm EU-only processing for the required region.")],
    "SCHUFA Holding AG": [(200, "approved", 12, "Data quality report and lawful basis reviewed.")],
    "Nordcloud Hosting GmbH": [(300, "approved", 12, "ISO 27001 certificate and BSI C5 report reviewed.")],
}

NONE: dict[str, Any] = {}

SYSTEMS: list[dict[str, Any]] = [
    {
        "name": "CreditLens credit scoring",
        "owner": "owner",
        "purpose": "Scores the creditworthiness of consumers and small businesses applying for loans and overdrafts; "
        "the score feeds the lending decision made by a credit officer.",
        "business_unit": "Retail Lending",
        "lifecycle_stage": "operation",
        "ai_role": "provider_deployer",
        "deployment": "on_premises",
        "status": "active",
        "human_oversight": "in_the_loop",
        "oversight_notes": "Credit officers approve every decline and every score near the cut-off.",
        "data_resources": "Application data, account history, SCHUFA bureau data (2015-2025).",
        "tooling_resources": "LightGBM, MLflow model registry, Evidently for drift.",
        "compute_resources": "On-premises Kubernetes cluster, Frankfurt data centre.",
        "human_resources": "Credit risk modelling team (4), model validation (2).",
        "suppliers": ["SCHUFA Holding AG"],
        "answers": {"annex_iii_areas": ["5"], "profiling": True},
    },
    {
        "name": "Nora customer service assistant",
        "owner": "owner",
        "purpose": "Answers retail customers' questions in the app and on the website, and hands over to an agent.",
        "business_unit": "Customer Service",
        "lifecycle_stage": "operation",
        "ai_role": "deployer",
        "deployment": "vendor_saas",
        "status": "active",
        "human_oversight": "on_the_loop",
        "oversight_notes": "Agents monitor conversations and take over on request or on low confidence.",
        "data_resources": "Product FAQ, tariff sheets; conversations are not used for training.",
        "tooling_resources": "LiteLLM gateway with the AIMS enforcement plugin.",
        "compute_resources": "Azure OpenAI (Sweden Central) through the gateway.",
        "human_resources": "Customer service team leads; conversation designers (2).",
        "suppliers": ["Microsoft Ireland (Azure OpenAI)"],
        "answers": {"transparency_duties": ["50(1)"]},
    },
    {
        "name": "Sentinel card fraud detection",
        "owner": "officer",
        "purpose": "Flags card transactions likely to be fraudulent for blocking and review.",
        "business_unit": "Payments",
        "lifecycle_stage": "operation",
        "ai_role": "provider_deployer",
        "deployment": "on_premises",
        "status": "active",
        "human_oversight": "on_the_loop",
        "data_resources": "Card transactions, device data, confirmed fraud labels.",
        "compute_resources": "On-premises streaming cluster.",
        # Annex III 5 excepts fraud detection from credit scoring: no high-risk route.
        "answers": NONE,
    },
    {
        "name": "TalentMatch CV screening",
        "owner": "officer",
        "purpose": "Ranks applications for apprenticeships and graduate roles against the job profile.",
        "business_unit": "Human Resources",
        "lifecycle_stage": "verification",
        "ai_role": "deployer",
        "deployment": "vendor_saas",
        "status": "proposed",
        "human_oversight": "in_the_loop",
        "oversight_notes": "Recruiters review every ranking; no automatic rejection.",
        "suppliers": ["Mistral AI"],
        "answers": {"annex_iii_areas": ["4"], "profiling": True},
    },
    {
        "name": "Compass knowledge assistant",
        "owner": "owner",
        "purpose": "Helps staff find internal policies and procedures, and drafts code for internal tools.",
        "business_unit": "Operations",
        "lifecycle_stage": "deployment",
        "ai_role": "deployer",
        "deployment": "public_cloud",
        "status": "active",
        "human_oversight": "in_command",
        "tooling_resources": "Retrieval over the policy wiki; LiteLLM gateway.",
        "suppliers": ["Microsoft Ireland (Azure OpenAI)", "Mistral AI"],
        "answers": {"transparency_duties": ["50(1)"]},
    },
    {
        "name": "Marketing copy studio",
        "owner": "officer",
        "purpose": "Drafts marketing texts and images for campaigns; published only after editorial review.",
        "business_unit": "Marketing",
        "lifecycle_stage": "operation",
        "ai_role": "deployer",
        "deployment": "vendor_saas",
        "status": "active",
        "human_oversight": "in_the_loop",
        "suppliers": ["Microsoft Ireland (Azure OpenAI)"],
        "answers": {"transparency_duties": ["50(4)"]},
    },
    {
        "name": "DocReader loan document extraction",
        "owner": "owner",
        "purpose": "Extracts income and employer fields from uploaded payslips into the loan application form "
        "for a credit officer to check.",
        "business_unit": "Retail Lending",
        "lifecycle_stage": "operation",
        "ai_role": "deployer",
        "deployment": "private_cloud",
        "status": "active",
        "human_oversight": "in_the_loop",
        "suppliers": ["Nordcloud Hosting GmbH"],
        "answers": {"annex_iii_areas": ["5"], "art_6_3_exemption": True, "art_6_3_condition": "preparatory"},
    },
    {
        "name": "Call-centre emotion monitor",
        "owner": "officer",
        "purpose": "Proposed by a vendor: infer agents' emotions from call audio to rate their performance.",
        "business_unit": "Customer Service",
        "lifecycle_stage": "inception",
        "ai_role": "deployer",
        "deployment": "vendor_saas",
        "status": "suspended",
        "human_oversight": "none",
        "oversight_notes": "Stopped at inception: a prohibited practice under Art. 5(1)(f).",
        "answers": {"prohibited_practices": ["5(1)(f)"]},
    },
    {
        "name": "Northwind FinLM",
        "owner": "officer",
        "purpose": "An open-weight language model fine-tuned on banking texts, made available to group "
        "subsidiaries to build their own assistants.",
        "business_unit": "Group Data & AI",
        "lifecycle_stage": "design",
        "ai_role": "provider",
        "deployment": "private_cloud",
        "status": "proposed",
        "human_oversight": "in_command",
        "compute_resources": "8 GPUs at Nordcloud Frankfurt; far below the systemic-risk compute threshold.",
        "suppliers": ["Nordcloud Hosting GmbH"],
        "answers": {"gpai_model": True},
    },
]

EMAILS = {"EMAIL_ADDRESS": "mask", "PHONE_NUMBER": "mask"}
BANKING = {**EMAILS, "IBAN_CODE": "hash", "CREDIT_CARD": "block"}

USE_CASES: list[dict[str, Any]] = [
    {
        "system": "CreditLens credit scoring",
        "key": "consumer-credit-scoring",
        "name": "Consumer credit scoring",
        "data_categories": ["personal", "financial"],
        "pii_policy": {**BANKING, "IP_ADDRESS": "hash"},
    },
    {
        "system": "CreditLens credit scoring",
        "key": "sme-credit-scoring",
        "name": "Small business credit scoring",
        "data_categories": ["personal", "financial", "confidential"],
        "pii_policy": BANKING,
    },
    {
        "system": "Nora customer service assistant",
        "key": "retail-chat-assistant",
        "name": "Retail chat assistant",
        "data_categories": ["personal", "financial"],
        "pii_policy": BANKING,
    },
    {
        "system": "Nora customer service assistant",
        "key": "chat-summarisation",
        "name": "Hand-over summaries",
        "data_categories": ["personal"],
        "pii_policy": {**BANKING, "IP_ADDRESS": "replace"},
    },
    {
        "system": "Sentinel card fraud detection",
        "key": "card-fraud-scoring",
        "name": "Card fraud scoring",
        "data_categories": ["personal", "financial"],
        "pii_policy": {"CREDIT_CARD": "hash", "IP_ADDRESS": "hash"},
    },
    {
        "system": "TalentMatch CV screening",
        "key": "cv-screening",
        "name": "CV screening",
        "data_categories": ["personal", "special"],
        "pii_policy": {**EMAILS, "UK_NINO": "block", "US_SSN": "block"},
    },
    {
        "system": "Compass knowledge assistant",
        "key": "policy-qa",
        "name": "Policy questions and answers",
        "data_categories": ["confidential"],
        "pii_policy": EMAILS,
    },
    {
        "system": "Compass knowledge assistant",
        "key": "code-assistant",
        "name": "Code drafting",
        "data_categories": ["confidential"],
        "redaction_required": False,
        "pii_policy": {},
        "fail_mode": "open",
    },
    {
        "system": "Marketing copy studio",
        "key": "marketing-copy",
        "name": "Campaign copy drafts",
        "data_categories": ["public"],
        "redaction_required": False,
        "pii_policy": {},
        "fail_mode": "open",
    },
    {
        "system": "DocReader loan document extraction",
        "key": "payslip-extraction",
        "name": "Payslip extraction",
        "data_categories": ["personal", "financial"],
        "pii_policy": {"IBAN_CODE": "mask", "EMAIL_ADDRESS": "mask"},
    },
    {
        "system": "Call-centre emotion monitor",
        "key": "agent-emotion-monitoring",
        "name": "Agent emotion monitoring",
        "data_categories": ["personal", "biometric"],
        "pii_policy": EMAILS,
        "active": False,
    },
    {
        "system": "Northwind FinLM",
        "key": "finlm-evaluation",
        "name": "FinLM evaluation runs",
        "data_categories": ["public"],
        "redaction_required": False,
        "pii_policy": {},
    },
    {
        "system": "Sentinel card fraud detection",
        "key": "fraud-case-notes",
        "name": "Fraud case note drafting",
        "data_categories": ["personal", "financial"],
        "pii_policy": BANKING,
    },
]

MODELS: list[dict[str, Any]] = [
    {
        "provider": "Azure OpenAI",
        "gateway_name": "gpt-4o-mini",
        "version": "2024-07-18",
        "hosting_region": "EU (Sweden Central)",
        "supplier": "Microsoft Ireland (Azure OpenAI)",
        "approval": "approved",
        "use_cases": [
            "retail-chat-assistant",
            "chat-summarisation",
            "policy-qa",
            "marketing-copy",
            "fraud-case-notes",
        ],
    },
    {
        "provider": "Azure OpenAI",
        "gateway_name": "gpt-4o",
        "version": "2024-08-06",
        "hosting_region": "EU (Sweden Central)",
        "supplier": "Microsoft Ireland (Azure OpenAI)",
        "approval": "approved",
        "use_cases": ["retail-chat-assistant", "marketing-copy", "code-assistant"],
    },
    {
        "provider": "Azure OpenAI",
        "gateway_name": "text-embedding-3-small",
        "version": "1",
        "hosting_region": "EU (Sweden Central)",
        "supplier": "Microsoft Ireland (Azure OpenAI)",
        "approval": "approved",
        "use_cases": ["policy-qa"],
    },
    {
        "provider": "Mistral",
        "gateway_name": "mistral-large-latest",
        "version": "2411",
        "hosting_region": "EU (France)",
        "supplier": "Mistral AI",
        "approval": "approved",
        "use_cases": ["policy-qa", "cv-screening"],
    },
    {
        "provider": "Mistral",
        "gateway_name": "mistral-small-latest",
        "version": "2501",
        "hosting_region": "EU (France)",
        "supplier": "Mistral AI",
        "approval": "approved",
        "use_cases": ["chat-summarisation", "payslip-extraction"],
    },
    {
        "provider": "Self-hosted",
        "gateway_name": "llama-3.1-70b-instruct",
        "version": "3.1",
        "hosting_region": "DE (Frankfurt)",
        "supplier": "Nordcloud Hosting GmbH",
        "approval": "approved",
        "use_cases": ["payslip-extraction", "finlm-evaluation"],
    },
    {
        "provider": "Self-hosted",
        "gateway_name": "creditlens-gbm",
        "version": "4.2",
        "hosting_region": "DE (Frankfurt)",
        "approval": "approved",
        "use_cases": ["consumer-credit-scoring", "sme-credit-scoring", "card-fraud-scoring"],
    },
    {
        "provider": "Anthropic",
        "gateway_name": "claude-3-5-sonnet-20241022",
        "version": "20241022",
        "hosting_region": "US",
        "supplier": "Anthropic",
        "approval": "pending",
        "use_cases": ["code-assistant"],
    },
    {
        "provider": "Google Vertex AI",
        "gateway_name": "gemini-1.5-pro",
        "version": "002",
        "hosting_region": "US (multi-region)",
        "supplier": "Google Cloud EMEA",
        "approval": "rejected",
        "use_cases": ["marketing-copy"],
    },
    {
        "provider": "Azure OpenAI",
        "gateway_name": "o1-preview",
        "version": "2024-09-12",
        "hosting_region": "US (East US 2)",
        "supplier": "Microsoft Ireland (Azure OpenAI)",
        "approval": "not_requested",
        "use_cases": [],
    },
]


def seed() -> dict[str, int]:
    officer = User.objects.get(username="officer")
    committee = User.objects.get(username="committee")
    users = {u.username: u for u in User.objects.filter(username__in=["officer", "owner"])}
    today = timezone.localdate()

    suppliers = {s.name: s for s in Supplier.objects.all()}
    for spec in SUPPLIERS:
        if spec["name"] not in suppliers:
            suppliers[spec["name"]] = services.create_supplier(user=officer, reason="Demo data", **spec)
    for name, rows in ASSESSMENTS.items():
        supplier = suppliers[name]
        if supplier.assessments.exists():
            continue
        for days_ago, outcome, months, notes in rows:
            assessed = today - timedelta(days=days_ago)
            services.record_assessment(
                supplier=supplier,
                user=officer,
                assessed_on=assessed,
                outcome=outcome,
                next_due=assessed + timedelta(days=30 * months),
                notes=notes,
            )

    for index, spec in enumerate(SYSTEMS):
        spec = dict(spec)
        answers = spec.pop("answers")
        linked = [suppliers[n] for n in spec.pop("suppliers", [])]
        spec["owner"] = users[spec["owner"]]
        system = AISystem.objects.filter(name=spec["name"]).first()
        if system is None:
            system = services.create_ai_system(
                user=officer,
                reason="Demo data",
                suppliers=linked,
                next_review_on=today + timedelta(days=30 + 45 * index),
                **spec,
            )
        if system.risk_tier == RiskTier.UNCLASSIFIED:
            services.classify_ai_system(system=system, user=officer, answers=answers, reason="Initial classification")

    systems = {s.name: s for s in AISystem.objects.all()}
    for spec in USE_CASES:
        spec = dict(spec)
        system = systems[spec.pop("system")]
        if not UseCase.objects.filter(key=spec["key"]).exists():
            services.create_use_case(ai_system=system, user=officer, reason="Demo data", **spec)

    use_cases = {uc.key: uc for uc in UseCase.objects.all()}
    for spec in MODELS:
        spec = dict(spec)
        approval = spec.pop("approval")
        keys = spec.pop("use_cases")
        supplier = suppliers.get(spec.pop("supplier", ""))
        model = CatalogModel.objects.filter(provider=spec["provider"], gateway_name=spec["gateway_name"]).first()
        if model is not None:
            continue
        model = services.create_catalog_model(
            user=officer, reason="Demo data", supplier=supplier, use_cases=[use_cases[k] for k in keys], **spec
        )
        if approval == ModelApprovalStatus.NOT_REQUESTED:
            continue
        decision = services.request_model_approval(model=model, user=officer, note="Demo: please review.")
        if approval == ModelApprovalStatus.APPROVED:
            services.approve_model(decision=decision, user=committee, rationale="Supplier assessed; EU hosting.")
        elif approval == ModelApprovalStatus.REJECTED:
            core_services.decide(
                decision=decision, user=committee, approve=False, rationale="Hosting region outside the EU."
            )
    return {
        "ai_systems": AISystem.objects.count(),
        "use_cases": UseCase.objects.count(),
        "models": CatalogModel.objects.count(),
        "suppliers": Supplier.objects.count(),
    }
