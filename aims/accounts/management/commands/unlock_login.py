"""manage.py unlock_login [--username NAME] [--ip ADDRESS]: lift a lockout after failed logins (audited)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.accounts import services
from aims.core.exceptions import ServiceError


class Command(BaseCommand):
    help = "Lift a login lockout of an account, an address, or both; the audit trail records it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help="The account that is locked.")
        parser.add_argument("--ip", dest="ip_address", help="The address that is locked.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = services.unlock(username=options["username"], ip_address=options["ip_address"], by="manage.py")
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"unlocked: {count} attempt record(s) removed")
