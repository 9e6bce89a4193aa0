"""Demo accounts, one per persona. Idempotent: running it again resets their roles and passwords."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from aims.accounts.choices import Role
from aims.accounts.models import User

DEMO_PASSWORD = "aims-demo-2026"  # noqa: S105  demo data only, printed on purpose by seed_demo


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]
    expires_in_days: int | None = None
    staff: bool = False


DEMO_USERS = [
    DemoUser("officer", "Olivia", "Okafor", (Role.OFFICER,)),
    DemoUser("owner", "Omar", "Ortega", (Role.OWNER,)),
    DemoUser("committee", "Clara", "Chen", (Role.COMMITTEE,)),
    DemoUser("committee2", "Carl", "Conti", (Role.COMMITTEE,)),
    DemoUser("auditor", "Aisha", "Adeyemi", (Role.AUDITOR,), expires_in_days=30),
    DemoUser("expired_auditor", "Ethan", "Evans", (Role.AUDITOR,), expires_in_days=-1),
    DemoUser("outsider", "Oscar", "Olsen", ()),
    DemoUser("admin", "Ada", "Admin", (Role.ADMINISTRATOR,), staff=True),
]


def seed() -> list[tuple[DemoUser, User]]:
    today = timezone.localdate()
    out = []
    for demo in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=demo.username)
        user.first_name, user.last_name = demo.first_name, demo.last_name
        user.email = f"{demo.username}@northwind.example"
        user.is_staff = demo.staff
        user.access_expires_on = today + timedelta(days=demo.expires_in_days) if demo.expires_in_days else None
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set(Group.objects.filter(name__in=demo.roles))
        out.append((demo, user))
    return out
