"""What the policies app grants to each role.

Every role holder reads the bundles (what gateways enforce is no secret inside the organisation). Officers
compile a revision and, with the platform's `core.request_decision`, ask for its publication; the committee
publishes it by approving that decision (`core.decide_decision`). Auditors read. Gateways authenticate with a
source token, not a role.
"""

from aims.accounts.choices import Role

VIEW = ["policies.view_policybundle"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [*VIEW, "policies.add_policybundle"],
    Role.OWNER: [*VIEW],
    Role.COMMITTEE: [*VIEW],
    Role.AUDITOR: [*VIEW],
}
