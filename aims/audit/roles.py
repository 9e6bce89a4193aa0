"""Who may read the audit trail: officers, auditors and administrators (issue 12). Nobody may change it."""

from aims.accounts.choices import Role

ROLE_PERMISSIONS = {
    Role.OFFICER: ["audit.view_auditevent"],
    Role.AUDITOR: ["audit.view_auditevent"],
    Role.ADMINISTRATOR: ["audit.view_auditevent"],
}
