"""What the controls app grants to each role. Everyone with a role reads the catalog; nobody edits it by hand
(it is written only by `manage.py load_frameworks`). Officers maintain the control implementations."""

from aims.accounts.choices import Role

READ_CATALOG = [
    "controls.view_framework",
    "controls.view_requirement",
    "controls.view_crosswalklink",
    "controls.view_enforcementmetric",
]

# The controls the organisation runs: officers maintain them; everyone with a role reads them.
READ_IMPLEMENTATIONS = ["controls.view_controlimplementation", "controls.view_implementationrequirement"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [
        *READ_CATALOG,
        *READ_IMPLEMENTATIONS,
        "controls.add_controlimplementation",
        "controls.change_controlimplementation",
    ],
    Role.OWNER: [*READ_CATALOG, *READ_IMPLEMENTATIONS],
    Role.COMMITTEE: [*READ_CATALOG, *READ_IMPLEMENTATIONS],
    Role.AUDITOR: [*READ_CATALOG, *READ_IMPLEMENTATIONS],
}
