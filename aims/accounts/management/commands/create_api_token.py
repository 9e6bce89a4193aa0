"""manage.py create_api_token USERNAME [--days N] [--name NAME]: prints a new token as its last line."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.accounts import services
from aims.accounts.models import User
from aims.core.exceptions import ServiceError


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (shown once; only its hash is stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--days", type=int, default=90, help="Days until the token expires (default 90).")
        parser.add_argument("--name", default="command line", help="What the token is for.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist:
            raise CommandError(f"No user named {options['username']!r}.") from None
        try:
            token, key = services.create_api_token(user=user, name=options["name"], days=options["days"])
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        expiry = token.expires_at.isoformat() if token.expires_at else "never"
        self.stderr.write(f"Token {token.prefix}… for {user.username}, expires {expiry}. It is shown only once:")
        self.stdout.write(key)
