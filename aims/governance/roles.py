"""What the management-system records grant to each role (the organisation profile's rights stay in
aims/accounts/roles.py).

Every role holder reads the management system: context and scope, documents, people, objectives, audits,
nonconformities, incidents and management reviews. Officers keep it: they add and change every record, triage
concerns and see who raised a confidential one, and close nonconformities. The committee reads, and approves
documents and closes management reviews through the platform's `core.decide_decision`. Auditors read (they
also read concerns, without the reporter's identity). Owners read, except concerns. Raising a concern and the
"My work" page need no permission: any logged-in person may use them, including people with no role.
"""

from aims.accounts.choices import Role

READ_SYSTEM = [
    "governance.view_contextissue",
    "governance.view_interestedparty",
    "governance.view_aimsscope",
    "governance.view_document",
    "governance.view_documentversion",
    "governance.view_responsibilityassignment",
    "governance.view_trainingrecord",
    "governance.view_objective",
    "governance.view_kpi",
    "governance.view_kpimeasurement",
    "governance.view_auditprogramme",
    "governance.view_audit",
    "governance.view_auditfinding",
    "governance.view_nonconformity",
    "governance.view_correctiveaction",
    "governance.view_incident",
    "governance.view_incidentcommunication",
    "governance.view_managementreview",
    "governance.view_reviewaction",
]
READ_CONCERNS = ["governance.view_concern"]

KEEP_SYSTEM = [
    f"governance.{verb}_{model}"
    for model in (
        "contextissue",
        "interestedparty",
        "aimsscope",
        "document",
        "documentversion",
        "responsibilityassignment",
        "trainingrecord",
        "objective",
        "kpi",
        "kpimeasurement",
        "auditprogramme",
        "audit",
        "auditfinding",
        "nonconformity",
        "correctiveaction",
        "incident",
        "incidentcommunication",
        "managementreview",
        "reviewaction",
    )
    for verb in ("add", "change")
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [
        *READ_SYSTEM,
        *READ_CONCERNS,
        *KEEP_SYSTEM,
        "governance.change_concern",
        "governance.view_concern_reporter",
        "governance.view_concernchannel",
        "governance.change_concernchannel",
    ],
    # Owners report progress on the actions they own (scoped to owner == user by the action querysets).
    Role.OWNER: [*READ_SYSTEM, "governance.change_correctiveaction", "governance.change_reviewaction"],
    Role.COMMITTEE: [*READ_SYSTEM, *READ_CONCERNS],
    Role.AUDITOR: [*READ_SYSTEM, *READ_CONCERNS],
    Role.ADMINISTRATOR: [],
}
