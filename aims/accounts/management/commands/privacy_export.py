"""manage.py privacy_export USER [--output FILE]: everything the portal holds about a person, as JSON (audited)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from aims.accounts import privacy
from aims.core.exceptions import ServiceError


class Command(BaseCommand):
    help = "Export a person's data (profile, roles, token metadata, sessions, audit events, decisions) as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="Username or account id.")
        parser.add_argument("--output", type=Path, help="Write to this file instead of standard output.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = privacy.find_user(options["user"])
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        text = json.dumps(privacy.export_personal_data(user=user, by="manage.py"), indent=2, ensure_ascii=False)
        if options["output"]:
            options["output"].write_text(text + "\n")
            self.stderr.write(f"Wrote the data of account #{user.pk} to {options['output']}")
        else:
            self.stdout.write(text)
