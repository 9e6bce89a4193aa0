"""Journey (g): someone with no role, and an auditor whose access has ended, are refused (ISO/IEC 42001 A.3.2;
auditors' access is time-boxed)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.harness import Journey, LiveServer, label

pytestmark = pytest.mark.browser


def test_an_outsider_sees_no_section_and_is_refused_every_page(journey: Journey) -> None:
    outsider = journey.login("outsider")
    expect(outsider.get_by_role("main")).to_contain_text("You have no role in the management system yet")
    nav = outsider.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Register")).to_have_count(0)
    for path in ("/register/", "/risks/", "/controls/soa/", "/policies/", "/reports/", "/dashboard/", "/decisions/"):
        with journey.refusal(f"^{path}$", 403):
            journey.goto(outsider, path)
        expect(outsider.get_by_role("heading", level=1)).to_be_visible()


def test_an_expired_auditor_cannot_log_in(journey: Journey) -> None:
    page = journey.page("expired_auditor")
    journey.goto(page, "/accounts/login/")
    page.get_by_label(label("Username")).fill("expired_auditor")
    page.get_by_label(label("Password")).fill("aims-demo-2026")
    journey.submit(page, "Log in")
    assert page.url.split("?")[0].endswith("/accounts/login/"), page.url
    expect(page.get_by_role("alert")).to_be_visible()
    journey.goto(page, "/reports/")
    assert "/accounts/login/" in page.url, page.url


def test_an_auditor_whose_access_ends_mid_session_is_logged_out(journey: Journey, portal: LiveServer) -> None:
    portal.shell(
        "from datetime import timedelta\n"
        "from django.contrib.auth.models import Group\n"
        "from django.utils import timezone\n"
        "from aims.accounts.models import User\n"
        "u, _ = User.objects.get_or_create(username='lapsing_auditor', defaults={'first_name': 'Lena'})\n"
        "u.set_password('aims-demo-2026'); u.access_expires_on = timezone.localdate() + timedelta(days=3); u.save()\n"
        "from aims.accounts.choices import Role\n"
        "u.groups.set(Group.objects.filter(name=Role.AUDITOR))\n"
    )
    auditor = journey.login("lapsing_auditor")
    journey.goto(auditor, "/register/")
    portal.shell(
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from aims.accounts.models import User\n"
        "User.objects.filter(username='lapsing_auditor')"
        ".update(access_expires_on=timezone.localdate() - timedelta(days=1))\n"
    )
    journey.goto(auditor, "/register/")
    assert "/accounts/login/" in auditor.url, auditor.url
    expect(auditor.get_by_role("status")).to_contain_text("your access to the portal has ended")
