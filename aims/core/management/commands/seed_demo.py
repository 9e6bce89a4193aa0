"""manage.py seed_demo: a believable demo organisation. Idempotent; each app adds its own step.

An app contributes demo data with a `demo.py` module that has a `seed()` function; steps run in INSTALLED_APPS
order, which is also the order in which apps depend on each other (DESIGN.md: apps depend downward only). A
module may also have `after_all()`, run once every app has seeded.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from aims.accounts.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        modules = []
        for config in apps.get_app_configs():
            module_name = f"{config.name}.demo"
            if not config.name.startswith(("aims.", "registry", "risks", "controls", "evidence", "policies")):
                continue
            if find_spec(module_name) is None:
                continue
            module = import_module(module_name)
            modules.append(module)
            with transaction.atomic():
                module.seed()
            self.stdout.write(f"Seeded {config.verbose_name}.")
        # Some demo data needs every app's seed first (traffic needs the published policy bundle).
        for module in modules:
            if hasattr(module, "after_all"):
                module.after_all()
        from aims.accounts.demo import DEMO_USERS
        from aims.accounts.models import User

        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for demo in DEMO_USERS:
            user = User.objects.get(username=demo.username)
            roles = ", ".join(demo.roles) or "no role"
            note = ""
            if user.access_expires_on:
                state = "expired" if user.access_expired() else "until"
                note = f" (access {state} {user.access_expires_on.isoformat()})"
            self.stdout.write(f"  {demo.username:<16} {roles}{note}")
