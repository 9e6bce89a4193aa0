"""Demo data of the controls app: the catalog, controls covering the demo register, a justified SoA of all 38
Annex A controls with one approved version and a draft with changes, check results, and manual evidence of which
some has expired, so the SoA shows every status. Idempotent: each stage is skipped when its rows exist."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aims.accounts.models import User
from controls import services
from controls.choices import CheckOutcome, ImplementationStatus
from controls.models import ControlImplementation, Requirement, SoAEntry, SoAVersion
from registry.models import AISystem, UseCase

ALL = "all"

# (code, name, how it is done, owner, requirements as (framework, ref), AI systems, use cases)
IMPLEMENTATIONS: list[tuple[str, str, str, str, list[tuple[str, str]], Any, Any]] = [
    (
        "CTL-GW-LOG",
        "Gateway decision log",
        "Every gateway decision is recorded, hash-chained and kept 13 months; daily checkpoints are signed.",
        "officer",
        [("iso42001", "A.6.2.8"), ("iso42001", "A.7.5"), ("eu-ai-act", "Art. 12")],
        ALL,
        ALL,
    ),
    (
        "CTL-GW-RED",
        "PII redaction at the gateway",
        "Personal data is detected and masked before any prompt leaves the gateway, per the use case's PII policy.",
        "officer",
        [("iso42001", "A.7.4"), ("iso42001", "A.7.2"), ("iso42001", "A.2.3"), ("iso42001", "A.4.3")],
        ALL,
        ALL,
    ),
    (
        "CTL-GW-ALLOW",
        "Approved-model allow-list",
        "Only models the committee approved for a use case can be called; any other model is blocked.",
        "officer",
        [("iso42001", "A.10.3"), ("iso42001", "A.6.2.5"), ("iso42001", "A.4.2")],
        ALL,
        ALL,
    ),
    (
        "CTL-UC-SCOPE",
        "Use-case scope rules",
        "Requests carry a registered use case; out-of-scope requests are blocked by per-use-case rules.",
        "owner",
        [("iso42001", "A.9.4"), ("iso42001", "A.9.2"), ("iso42001", "A.9.3"), ("iso42001", "A.6.2.6")],
        ALL,
        ALL,
    ),
    (
        "CTL-POL-01",
        "AI policy with annual review",
        "The board approves the AI policy; the AIMS officer reviews it every year and after material change.",
        "officer",
        [("iso42001", "A.2.2"), ("iso42001", "A.2.4"), ("iso42001", "A.4.4")],
        [],
        [],
    ),
    (
        "CTL-ROLES",
        "AI roles and responsibilities (RACI)",
        "A RACI names the owner, operator and reviewer of every AI system; it is reviewed each half-year.",
        "officer",
        [("iso42001", "A.3.2"), ("iso42001", "A.10.2")],
        ALL,
        [],
    ),
    (
        "CTL-CONCERN",
        "Concern reporting channel",
        "Staff and customers can raise AI concerns through the ethics hotline; concerns are triaged within five days.",
        "officer",
        [("iso42001", "A.3.3"), ("iso42001", "A.8.3")],
        [],
        [],
    ),
    (
        "CTL-IA",
        "Impact assessment before go-live",
        "No AI system goes live without an approved impact assessment covering individuals and society.",
        "officer",
        [("iso42001", "A.5.2"), ("iso42001", "A.5.3"), ("iso42001", "A.5.4"), ("iso42001", "A.5.5")],
        ALL,
        [],
    ),
    (
        "CTL-SDLC",
        "Responsible AI development lifecycle",
        "Requirements, design records, validation and technical "
        "documentation are kept for every model the bank builds.",
        "owner",
        [
            ("iso42001", "A.6.1.2"),
            ("iso42001", "A.6.1.3"),
            ("iso42001", "A.6.2.2"),
            ("iso42001", "A.6.2.3"),
            ("iso42001", "A.6.2.4"),
            ("iso42001", "A.6.2.7"),
        ],
        ["CreditLens credit scoring", "Sentinel card fraud detection", "Northwind FinLM"],
        [],
    ),
    (
        "CTL-DATA",
        "Training data governance",
        "Data for training is acquired under contract, its provenance recorded and its preparation reviewed.",
        "owner",
        [("iso42001", "A.7.3"), ("iso42001", "A.7.6")],
        ["CreditLens credit scoring", "Sentinel card fraud detection"],
        [],
    ),
    (
        "CTL-TRANSP",
        "Information for users",
        "Customer-facing AI discloses itself; user documentation and "
        "information for interested parties are published.",
        "officer",
        [("iso42001", "A.8.2"), ("iso42001", "A.8.5")],
        ["Nora customer service assistant"],
        [],
    ),
    (
        "CTL-INC",
        "AI incident communication",
        "AI incidents are logged and communicated to affected parties and regulators within the set deadlines.",
        "officer",
        [("iso42001", "A.8.4")],
        ALL,
        [],
    ),
    (
        "CTL-RES",
        "AI resource inventory",
        "Compute, tooling and the competence of people working on AI are documented per system.",
        "officer",
        [("iso42001", "A.4.5"), ("iso42001", "A.4.6")],
        ALL,
        [],
    ),
    (
        "CTL-PROMPT-LIB",
        "Prompt library review",
        "Shared system prompts are reviewed monthly by two people before they are used in production.",
        "owner",
        [],
        [],
        ["retail-chat-assistant", "policy-qa"],
    ),
]

EXCLUDED = {
    "A.10.4": "Excluded: the bank does not provide AI systems to customers as products or components; customer-"
    "facing assistants are covered under A.8.2.",
}

# Hand-written justifications where the generic one says too little.
JUSTIFICATIONS = {
    "A.6.2.8": "Included: every AI request passes the gateway, whose hash-chained decision log is the event log of "
    "each AI system (CTL-GW-LOG); required by EU AI Act Art. 12 for the high-risk credit scoring.",
    "A.7.4": "Included: customer data reaches external models only after redaction (CTL-GW-RED); data quality of "
    "training data is covered under A.7.3 and A.7.6.",
    "A.10.3": "Included: all general-purpose models come from external suppliers; only committee-approved models "
    "are reachable through the gateway (CTL-GW-ALLOW).",
    "A.5.4": "Included: credit scoring and CV screening decide about individuals; the impact assessment gate "
    "(CTL-IA) covers effects on individuals and groups.",
}

# (metric, days ago the period ended, outcome, value, target) per implementation code.
RESULTS: dict[str, list[tuple[str, int, str, str, str]]] = {
    "CTL-GW-LOG": [("M-LOG-CONT", 1, CheckOutcome.PASS, "0", "= 0 gaps"), ("M-LOG-INTEGRITY", 1, "pass", "1", "= 1")],
    "CTL-GW-RED": [("M-RED-COV", 2, CheckOutcome.PASS, "0.998", ">= 0.995")],
    "CTL-GW-ALLOW": [
        ("M-MODEL-BLOCK", 9, CheckOutcome.PASS, "0", "= 0"),
        ("M-MODEL-BLOCK", 1, CheckOutcome.FAIL, "3", "= 0"),
    ],
    "CTL-UC-SCOPE": [("M-UC-SCOPE", 3, CheckOutcome.PASS, "1", "= 1")],
    "CTL-INC": [("M-INC", 5, CheckOutcome.PASS, "0", "= 0 late")],
    "CTL-DATA": [("M-RED-COV", 120, CheckOutcome.PASS, "1", "= 1")],
}

# (title, file name, kind, effective days ago, expires in days (negative: expired), implementation codes)
ARTIFACTS = [
    ("AI policy v3, board approval", "ai-policy-v3.pdf", "pdf", 200, 165, ["CTL-POL-01"]),
    ("AI RACI, review of H1", "raci-review.pdf", "pdf", 400, -35, ["CTL-ROLES"]),
    ("Impact assessment procedure, sign-off", "ia-procedure.txt", "text", 500, -10, ["CTL-IA"]),
    ("Model validation report, CreditLens", "validation-creditlens.pdf", "pdf", 60, 305, ["CTL-SDLC"]),
    ("Disclosure texts in production", "disclosures.md", "text", 30, 335, ["CTL-TRANSP"]),
    ("Resource inventory export", "resources.csv", "text", 20, 345, ["CTL-RES"]),
    ("Prompt library review minutes", "prompt-review.txt", "text", 10, 80, ["CTL-PROMPT-LIB"]),
]


def small_pdf(title: str) -> bytes:
    """A one-page PDF with a valid cross-reference table, made here so the demo needs no files."""
    text = title.replace("\\", "").replace("(", "").replace(")", "")
    stream = f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _justification(requirement: Requirement, codes: list[str]) -> str:
    if requirement.ref in EXCLUDED:
        return EXCLUDED[requirement.ref]
    if requirement.ref in JUSTIFICATIONS:
        return JUSTIFICATIONS[requirement.ref]
    how = f" Implemented by {', '.join(codes)}." if codes else " Implementation planned."
    return f"Included: “{requirement.title}” treats AI risks of the register's systems (risk assessment 2026).{how}"


def seed() -> dict[str, int]:
    report = services.load_frameworks()
    users = {u.username: u for u in User.objects.filter(username__in=["officer", "owner", "committee"])}
    officer, committee = users["officer"], users["committee"]
    _implementations(officer, users)
    if not SoAVersion.objects.exists():
        _soa(officer, committee)
    _results(officer)
    _artifacts(officer)
    return {
        "catalog_changed": int(report.changed),
        "implementations": ControlImplementation.objects.count(),
        "soa_rows": SoAEntry.objects.count(),
        "soa_versions": SoAVersion.objects.approved().count(),
    }


def _implementations(officer: User, users: dict[str, User]) -> None:
    existing = set(ControlImplementation.objects.values_list("code", flat=True))
    for code, name, how, owner, refs, systems, use_cases in IMPLEMENTATIONS:
        if code in existing:
            continue
        requirements = [Requirement.objects.get(framework__slug=fw, ref=ref) for fw, ref in refs]
        services.create_implementation(
            user=officer,
            code=code,
            name=name,
            description=how,
            owner=users[owner],
            status=ImplementationStatus.IMPLEMENTED,
            requirements=requirements,
            ai_systems=list(AISystem.objects.all() if systems == ALL else AISystem.objects.filter(name__in=systems)),
            use_cases=list(UseCase.objects.all() if use_cases == ALL else UseCase.objects.filter(key__in=use_cases)),
            reason="Demo data",
        )


def _soa(officer: User, committee: User) -> None:
    """Justify every row, have the committee approve version 1, then change the draft for the next version."""
    for entry in SoAEntry.objects.select_related("requirement", "added_control"):
        if entry.requirement_id:
            codes = list(entry.requirement.implementations.values_list("code", flat=True))
            applies = entry.requirement.ref not in EXCLUDED
            justification = _justification(entry.requirement, codes)
        else:
            applies, justification = (
                True,
                "Added beyond Annex A: shared prompts shape every answer the assistants give.",
            )
        services.update_soa_entry(
            entry=entry,
            user=officer,
            applies=applies,
            justification=justification,
            implementation_status=ImplementationStatus.IMPLEMENTED if applies else ImplementationStatus.PLANNED,
            owner=entry.owner or officer,
            reason="Demo: first SoA",
        )
    version = services.request_soa_approval(user=officer, note="Demo: the first complete SoA.")
    services.decide_soa(decision=version.decision, user=committee, approve=True, rationale="Reviewed with the CRO.")
    entry = SoAEntry.objects.get(requirement__ref="A.6.2.8", requirement__framework__slug="iso42001")
    services.update_soa_entry(
        entry=entry,
        user=officer,
        justification="Included: the gateway log is the operating evidence of every control; retention raised to "
        "13 months for the EU AI Act Art. 12 and 19.",
        reason="Demo: retention changed",
    )
    excluded = SoAEntry.objects.get(requirement__ref="A.10.4", requirement__framework__slug="iso42001")
    services.update_soa_entry(
        entry=excluded,
        user=officer,
        applies=True,
        justification="Included from next quarter: Northwind FinLM will be offered to partner banks.",
        implementation_status=ImplementationStatus.PLANNED,
        reason="Demo: FinLM offered to partners",
    )
    services.create_implementation(
        user=officer,
        code="CTL-RED-TEAM",
        name="Quarterly red-teaming of chat assistants",
        description="An external team attacks the customer-facing assistants every quarter.",
        owner=officer,
        status=ImplementationStatus.PLANNED,
        use_cases=list(UseCase.objects.filter(key="retail-chat-assistant")),
        reason="Demo data",
    )
    added = SoAEntry.objects.get(added_control__code="CTL-RED-TEAM")
    services.update_soa_entry(
        entry=added,
        user=officer,
        justification="Added beyond Annex A: prompt-injection risk of the customer assistants.",
        reason="Demo: new control",
    )


def _results(officer: User) -> None:
    now = timezone.now()
    for code, rows in RESULTS.items():
        implementation = ControlImplementation.objects.get(code=code)
        if implementation.check_results.exists():
            continue
        for metric, days_ago, outcome, value, target in rows:
            end = now - timedelta(days=days_ago)
            services.record_check_result(
                implementation=implementation,
                period_start=end - timedelta(days=1),
                period_end=end,
                metric=metric,
                value=Decimal(value),
                target=target,
                outcome=outcome,
                source=f"automated:{metric.lower()}",
            )


def _artifacts(officer: User) -> None:
    from evidence import artifacts_services
    from evidence.models import EvidenceArtifact

    today = timezone.localdate()
    existing = set(EvidenceArtifact.objects.values_list("title", flat=True))
    for title, filename, kind, effective_ago, expires_in, codes in ARTIFACTS:
        if title in existing:
            continue
        content = small_pdf(title) if kind == "pdf" else f"{title}\n\nDemo evidence, generated.\n".encode()
        artifacts_services.create_artifact(
            user=officer,
            title=title,
            description="Demo evidence.",
            effective_on=today - timedelta(days=effective_ago),
            expires_on=today + timedelta(days=expires_in),
            implementations=list(ControlImplementation.objects.filter(code__in=codes)),
            files=[SimpleUploadedFile(filename, content)],
            reason="Demo data",
        )
