"""What the risks app grants to each role.

Every role holder reads the risk register, the criteria and the impact assessments. Officers keep all of them
(`edit_all_risks`) and set new criteria versions. Owners record and change the risks of the AI systems they own
(and risks they own), plan treatments, accept residual risks within the owner's threshold, ask the committee to
accept those above it (`request_risk_acceptance`, narrowed to the risks they may change), and prepare the impact
assessments of their systems; the querysets' `scope()` narrows "change" to those. The committee accepts
residual risks above the owner's threshold and signs off impact assessments (`core.decide_decision`, four
eyes). Auditors read. Outsiders get nothing.
"""

from aims.accounts.choices import Role

READ = [
    "risks.view_risk",
    "risks.view_riskcriteria",
    "risks.view_treatmentaction",
    "risks.view_riskacceptance",
    "risks.view_impactassessment",
    "risks.view_impact",
]
KEEP_OWN = [
    "risks.add_risk",
    "risks.change_risk",
    "risks.add_treatmentaction",
    "risks.change_treatmentaction",
    "risks.add_impactassessment",
    "risks.change_impactassessment",
    "risks.add_impact",
    "risks.change_impact",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [*READ, *KEEP_OWN, "risks.edit_all_risks", "risks.add_riskcriteria"],
    Role.OWNER: [*READ, *KEEP_OWN, "risks.request_risk_acceptance"],
    Role.COMMITTEE: [*READ],
    Role.AUDITOR: [*READ],
    Role.ADMINISTRATOR: [],
}
