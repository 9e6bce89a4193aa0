"""Settings come from the environment; a bad value stops the start with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings


def _load(env: dict[str, str], var_dir: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return subprocess.run(
        [sys.executable, "-c", "import aims.settings"],
        env={**clean, "AIMS_VAR_DIR": var_dir, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "0"}, "DJANGO_SECRET_KEY is required"),
        ({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "short"}, "at least 50 characters"),
        ({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "k" * 60}, "DJANGO_ALLOWED_HOSTS is required"),
        ({"DJANGO_DEBUG": "maybe"}, "DJANGO_DEBUG must be a boolean"),
        ({"AIMS_SESSION_HOURS": "eight"}, "AIMS_SESSION_HOURS must be an integer"),
        ({"AIMS_SESSION_HOURS": "0"}, "AIMS_SESSION_HOURS must be at least 1"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL must be"),
        ({"REDIS_URL": "http://localhost:6379"}, "REDIS_URL must be a URL"),
    ],
)
def test_a_bad_setting_fails_the_start_naming_the_variable(env: dict[str, str], message: str, tmp_path) -> None:
    result = _load(env, str(tmp_path))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_a_complete_production_environment_loads(tmp_path) -> None:
    env = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "k" * 60, "DJANGO_ALLOWED_HOSTS": "aims.example.com"}
    result = _load(env, str(tmp_path))
    assert result.returncode == 0, result.stderr


def test_a_fresh_checkout_runs_with_no_environment(tmp_path) -> None:
    result = _load({}, str(tmp_path))
    assert result.returncode == 0, result.stderr
