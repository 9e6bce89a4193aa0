"""The role model: each role is a group with named permissions.

The platform's own permissions are listed here. Each app lists what its models grant to each role in its own
`roles.py` (a `ROLE_PERMISSIONS` dict keyed by Role), next to the models it talks about; `role_permissions()`
merges them in INSTALLED_APPS order. `manage.py show_roles` prints the whole matrix at a glance. Permissions
are Django's `app_label.codename`; custom ones (request_decision, decide_decision) are declared on their
models' Meta.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.contrib.auth.models import Group, Permission

from aims.accounts.choices import Role

READ_ORGANISATION = ["governance.view_organisationprofile"]
READ_DECISIONS = ["core.view_decision"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICER: [
        *READ_ORGANISATION,
        "governance.change_organisationprofile",
        *READ_DECISIONS,
        "core.request_decision",
    ],
    Role.OWNER: [
        *READ_ORGANISATION,
    ],
    Role.COMMITTEE: [
        *READ_ORGANISATION,
        *READ_DECISIONS,
        "core.decide_decision",
    ],
    Role.AUDITOR: [
        *READ_ORGANISATION,
        *READ_DECISIONS,
    ],
    Role.ADMINISTRATOR: [
        *READ_ORGANISATION,
        *READ_DECISIONS,
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.manage_personal_data",
        # Two-factor per role, session records, and lifting login lockouts (issue 12).
        "accounts.view_rolesecuritypolicy",
        "accounts.add_rolesecuritypolicy",
        "accounts.change_rolesecuritypolicy",
        "accounts.delete_rolesecuritypolicy",
        "accounts.view_usersession",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "auth.view_group",
    ],
}


def role_permissions() -> dict[str, list[str]]:
    """The platform's permissions plus every installed app's `roles.ROLE_PERMISSIONS`."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    merged = {role: list(perms) for role, perms in ROLE_PERMISSIONS.items()}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.roles"
        if config.name == "aims.accounts" or find_spec(module_name) is None:
            continue
        for role, perms in import_module(module_name).ROLE_PERMISSIONS.items():
            merged.setdefault(role, []).extend(p for p in perms if p not in merged[role])
    return merged


def sync_roles() -> None:
    """Create the role groups and set their permissions to exactly what role_permissions() lists."""
    for role, perm_names in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = []
        for name in perm_names:
            app_label, codename = name.split(".", 1)
            perms.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(perms)


def sync_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    # post_migrate is sent once per app, and each app's permissions are created by its own signal: only after
    # the last one are all of them there.
    from django.apps import apps

    # Django skips apps without a models module when it sends the signal.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is not with_models[-1]:
        return
    # A partial migrate (one app named) may lack another app's permissions; the next full one syncs them.
    with contextlib.suppress(Permission.DoesNotExist):
        sync_roles()
