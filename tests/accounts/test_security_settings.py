"""The authentication settings: sane defaults that leave the test personas alone, and bad values refused."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from aims.accounts.choices import Role
from tests.accounts.helpers import code, enrol


def _load(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "AIMS_"))
    }
    return subprocess.run(
        [sys.executable, "-c", "import aims.settings"],
        env={**clean, "AIMS_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AIMS_2FA_REQUIRED_ROLES": "Auditor,Wizard"}, "AIMS_2FA_REQUIRED_ROLES names unknown roles ['Wizard']"),
        ({"AIMS_LOGIN_FAILURE_LIMIT": "0"}, "AIMS_LOGIN_FAILURE_LIMIT must be at least 1"),
        ({"AIMS_LOGIN_LOCKOUT_MINUTES": "soon"}, "AIMS_LOGIN_LOCKOUT_MINUTES must be an integer"),
        ({"AIMS_2FA_PENDING_SECONDS": "5"}, "AIMS_2FA_PENDING_SECONDS must be at least 30"),
        ({"AIMS_OIDC_ROLE_MAP": "it=Administrator"}, "AIMS_OIDC_ROLE_MAP must read"),
        ({"AIMS_OIDC_CLIENT_ID": "aims"}, "AIMS_OIDC_CLIENT_SECRET is required"),
        (
            {"AIMS_OIDC_CLIENT_ID": "aims", "AIMS_OIDC_CLIENT_SECRET": "s", "AIMS_OIDC_AUTHORIZATION_URL": "ftp://x"},
            "AIMS_OIDC_AUTHORIZATION_URL must be a URL",
        ),
    ],
)
def test_a_bad_authentication_setting_fails_the_start(env, message, tmp_path) -> None:
    result = _load(env, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


def test_roles_can_be_required_by_their_names(tmp_path) -> None:
    assert _load({"AIMS_2FA_REQUIRED_ROLES": "Auditor, Administrator"}, tmp_path).returncode == 0


def test_the_role_names_the_settings_know_are_the_roles() -> None:
    import aims.settings as live

    assert set(Role.values) == live._ROLE_NAMES


def test_the_defaults_throttle_logins_and_require_two_factor_of_nobody() -> None:
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert "aims.accounts.backends.AccessExpiryModelBackend" in settings.AUTHENTICATION_BACKENDS
    assert settings.AXES_LOCKOUT_PARAMETERS == ["ip_address", "username"]
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AIMS_2FA_REQUIRED_ROLES == []
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_the_admin_login_does_not_skip_the_code(officer, settings) -> None:
    officer.user.is_staff = True
    officer.user.save()
    device, _ = enrol(officer.client())
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": "officer", "password": "correct horse battery staple", "next": "/admin/"}
    )
    assert response.status_code == 302
    admin = client.get(reverse("admin:index"))
    assert admin["Location"].startswith(reverse("accounts:two-factor-verify"))
    client.post(reverse("accounts:two-factor-verify"), {"token": code(device)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_complete_single_sign_on_configuration_loads(tmp_path) -> None:
    env = {
        "AIMS_OIDC_CLIENT_ID": "aims",
        "AIMS_OIDC_CLIENT_SECRET": "secret",
        "AIMS_OIDC_AUTHORIZATION_URL": "https://idp.example/authorize",
        "AIMS_OIDC_TOKEN_URL": "https://idp.example/token",
        "AIMS_OIDC_USERINFO_URL": "https://idp.example/userinfo",
        "AIMS_OIDC_JWKS_URL": "https://idp.example/jwks",
        "AIMS_OIDC_ROLE_MAP": "aims-officers=Governance officer,aims-auditors=Auditor",
    }
    script = "import aims.settings as s; print(s.AUTHENTICATION_BACKENDS[-1], sorted(s.AIMS_OIDC_ROLE_MAP.values()))"
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "AIMS_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**clean, "AIMS_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "aims.accounts.oidc.OIDCBackend ['Auditor', 'Governance officer']"
