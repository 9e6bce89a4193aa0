"""What each role may do with evidence sources and events."""

from aims.accounts.choices import Role

READ = ["evidence.view_evidencesource", "evidence.view_event"]

ROLE_PERMISSIONS = {
    Role.OFFICER: [*READ, "evidence.add_evidencesource", "evidence.change_evidencesource"],
    Role.OWNER: READ,
    Role.COMMITTEE: READ,
    Role.AUDITOR: READ,
    Role.ADMINISTRATOR: READ,
}
