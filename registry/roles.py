"""What the AI system register grants to each role.

Every role holder sees the whole register. Officers keep it: they add and change every entry
(`edit_all_aisystems`) and, with the platform's `core.request_decision`, ask for model approvals. Owners change
their own AI systems and their use cases (the model querysets' `scope()` narrows "change" to `owner == user`),
add use cases to them, and may propose a catalog model, which an officer then puts up for approval. The committee
reads the register and decides model approvals (`core.decide_decision`). Auditors read. Outsiders get nothing.
"""

from aims.accounts.choices import Role

READ_REGISTER = [
    "registry.view_aisystem",
    "registry.view_usecase",
    "registry.view_catalogmodel",
    "registry.view_supplier",
    "registry.view_supplierassessment",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [
        *READ_REGISTER,
        "registry.add_aisystem",
        "registry.change_aisystem",
        "registry.edit_all_aisystems",
        "registry.add_usecase",
        "registry.change_usecase",
        "registry.add_catalogmodel",
        "registry.change_catalogmodel",
        "registry.add_supplier",
        "registry.change_supplier",
        "registry.add_supplierassessment",
    ],
    Role.OWNER: [
        *READ_REGISTER,
        "registry.change_aisystem",
        "registry.add_usecase",
        "registry.change_usecase",
        "registry.add_catalogmodel",
    ],
    Role.COMMITTEE: [*READ_REGISTER],
    Role.AUDITOR: [*READ_REGISTER],
}
