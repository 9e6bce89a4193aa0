"""Authorization matrix rows of the accounts pages added by issue 12: two-factor, sessions, personal data.

Everyone logged in manages their own two-factor device and sessions; only administrators (not a matrix persona:
see tests/accounts/test_privacy.py) export and erase a person's data.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import Persona
from tests.matrix import ROLE_HOLDERS, Row, allowed_for

LOGGED_IN = [*ROLE_HOLDERS, "outsider"]


def _officers_session(personas: dict[str, Persona]) -> dict[str, Any]:
    from aims.accounts.models import UserSession

    record = UserSession.objects.create(user=personas["officer"].user, key_hash="f" * 64, user_agent="matrix")
    return {"pk": record.pk}


def _officer(personas: dict[str, Persona]) -> dict[str, Any]:
    return {"pk": personas["officer"].user.pk}


ROWS = [
    # Single sign-on is off unless configured (tests/accounts/test_sso.py runs it against a real provider).
    Row("accounts:oidc-login", allowed=allowed_for(404)),
    Row("accounts:oidc-callback", allowed=allowed_for(404)),
    # Without a login waiting for its code, the code page sends everyone on (home, or the login page).
    Row("accounts:two-factor-verify", allowed=allowed_for(302)),
    Row("accounts:two-factor", allowed=allowed_for(200, LOGGED_IN)),
    Row("accounts:two-factor-enrol", allowed=allowed_for(200, LOGGED_IN)),
    # An empty form is refused with a message on the two-factor page.
    Row("accounts:two-factor-disable", method="post", allowed=allowed_for(302, LOGGED_IN)),
    Row("accounts:two-factor-recovery", method="post", allowed=allowed_for(302, LOGGED_IN)),
    Row("accounts:sessions", allowed=allowed_for(200, LOGGED_IN)),
    # Only the officer owns this session; for anyone else it does not exist.
    Row(
        "accounts:session-end",
        method="post",
        kwargs=_officers_session,
        allowed={"officer": 302, **allowed_for(404, ["owner", "committee", "auditor", "outsider"])},
    ),
    Row("accounts:sessions-end-others", method="post", allowed=allowed_for(302, LOGGED_IN)),
    Row("accounts:privacy"),
    Row("accounts:privacy-export", kwargs=_officer),
    Row("accounts:privacy-erase", method="post", kwargs=_officer, data={"confirm": "officer"}),
]
