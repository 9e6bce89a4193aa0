"""What the control catalog grants to each role. Everyone with a role reads it; nobody edits it by hand: the
catalog is written only by `manage.py load_frameworks`."""

from aims.accounts.choices import Role

READ_CATALOG = [
    "controls.view_framework",
    "controls.view_requirement",
    "controls.view_crosswalklink",
    "controls.view_enforcementmetric",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [*READ_CATALOG],
    Role.OWNER: [*READ_CATALOG],
    Role.COMMITTEE: [*READ_CATALOG],
    Role.AUDITOR: [*READ_CATALOG],
}
