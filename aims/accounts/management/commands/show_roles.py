"""manage.py show_roles: the role model at a glance, role by role."""

from typing import Any

from django.core.management.base import BaseCommand

from aims.accounts.roles import role_permissions


class Command(BaseCommand):
    help = "Print every role and the permissions it holds."

    def handle(self, *args: Any, **options: Any) -> None:
        for role, perms in role_permissions().items():
            self.stdout.write(f"{role}:")
            for perm in sorted(perms):
                self.stdout.write(f"  {perm}")
