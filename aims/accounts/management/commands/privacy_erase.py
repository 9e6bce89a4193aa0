"""manage.py privacy_erase USER --confirm: anonymise an account, keeping its id so every record still resolves."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.accounts import privacy
from aims.core.exceptions import ServiceError


class Command(BaseCommand):
    help = (
        "Erase a person's data: the account becomes erased-<id> (names and e-mail blanked, password unusable, "
        "deactivated, roles removed, tokens revoked, sessions ended). Decisions, history and the audit trail keep "
        "pointing to the same id. Cannot be undone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="Username or account id.")
        parser.add_argument("--confirm", action="store_true", help="Required: erasure cannot be undone.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = privacy.find_user(options["user"])
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        if not options["confirm"]:
            raise CommandError(f"This would erase account #{user.pk} ({user.username}); add --confirm to do it.")
        try:
            user = privacy.erase_personal_data(user=user, by="manage.py")
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"erased: account #{user.pk} is now {user.username}")
