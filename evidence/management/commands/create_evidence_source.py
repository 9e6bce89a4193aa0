"""manage.py create_evidence_source NAME [--owner USER]: register a source and print its token last."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.accounts.models import User
from evidence import services
from evidence.models import EvidenceSource


class Command(BaseCommand):
    help = "Register an evidence source (or reuse it) and print a new bearer token as the last line."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument(
            "--owner", help="Username of the source's owner (default: the first superuser or officer)."
        )
        parser.add_argument("--heartbeat", type=int, default=300, help="Expected heartbeat in seconds.")
        parser.add_argument("--rate", type=int, default=120_000, help="Events per minute.")

    def handle(self, *args: Any, **options: Any) -> None:
        owner = self._owner(options["owner"])
        source = EvidenceSource.objects.filter(name=options["name"]).first()
        if source is None:
            try:
                source = services.create_source(
                    user=owner,
                    name=options["name"],
                    owner=owner,
                    heartbeat_seconds=options["heartbeat"],
                    rate_limit_per_minute=options["rate"],
                    check_permission=False,
                )
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
            self.stderr.write(f"Registered evidence source {source.name}.")
        _, key = services.issue_source_token(source=source, user=owner, name="command line", check_permission=False)
        self.stderr.write("Its token (shown once; only a hash is stored):")
        self.stdout.write(key)

    def _owner(self, username: str | None) -> User:
        if username:
            try:
                return User.objects.get(username=username)
            except User.DoesNotExist:
                raise CommandError(f"No user named {username!r}.") from None
        owner = (
            User.objects.filter(is_superuser=True).first()
            or User.objects.filter(groups__name="Governance officer").first()
            or User.objects.first()
        )
        if owner is None:
            raise CommandError("Create a user first, or pass --owner.")
        return owner
