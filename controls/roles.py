"""What the controls app grants to each role. Everyone with a role reads the catalog; nobody edits it by hand
(it is written only by `manage.py load_frameworks`). Officers maintain the control implementations, the draft
SoA and the manual evidence; approving an SoA version is the committee's (core.decide_decision)."""

from aims.accounts.choices import Role

READ_CATALOG = [
    "controls.view_framework",
    "controls.view_requirement",
    "controls.view_crosswalklink",
    "controls.view_enforcementmetric",
]

# The controls the organisation runs: officers maintain them; everyone with a role reads them.
READ_IMPLEMENTATIONS = ["controls.view_controlimplementation", "controls.view_implementationrequirement"]

# The SoA (draft rows and approved versions) and the results behind each control's status.
READ_SOA = ["controls.view_soaentry", "controls.view_soaversion", "controls.view_controlcheckresult"]

# Manual evidence artifacts live in the evidence app, but their pages are the controls app's (they evidence
# control implementations); their permissions are granted here so one file says who may see and upload them.
READ_ARTIFACTS = ["evidence.view_evidenceartifact", "evidence.view_artifactfile"]

READ_ALL = [*READ_CATALOG, *READ_IMPLEMENTATIONS, *READ_SOA, *READ_ARTIFACTS]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [
        *READ_ALL,
        "controls.add_controlimplementation",
        "controls.change_controlimplementation",
        "controls.change_soaentry",
        "controls.add_controlcheckresult",
        "evidence.add_evidenceartifact",
        "evidence.change_evidenceartifact",
    ],
    Role.OWNER: READ_ALL,
    Role.COMMITTEE: READ_ALL,
    Role.AUDITOR: READ_ALL,
}
