"""What the reports app grants to each role.

Officers, the committee and auditors ask for reports and read every run: the reports gather what they already
read in the portal, and an auditor takes away what an officer prepared. Auditors hold this only within their
access period: the platform refuses an expired auditor before any view runs. System owners may ask for reports
too (they read the same records), but see only the runs they asked for, and may not take an evidence pack of the
operating evidence. Each kind also needs the read permissions of the records it prints (aims/reports/kinds/).
Outsiders get nothing.
"""

from aims.accounts.choices import Role

REQUEST = ["reports.view_reportrun", "reports.add_reportrun"]
READ_ALL = ["reports.view_all_reportruns"]
PACK = ["reports.request_evidence_pack"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [*REQUEST, *READ_ALL, *PACK],
    Role.COMMITTEE: [*REQUEST, *READ_ALL, *PACK],
    Role.AUDITOR: [*REQUEST, *READ_ALL, *PACK],
    Role.OWNER: [*REQUEST],
}
