"""Single sign-on with OpenID Connect against a real provider (django-oidc-provider, started as a server on
127.0.0.1): the provider's groups become roles, accounts are linked by subject so a provider account never takes
over a local one, and administrators keep their local password login."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from aims.accounts.choices import Role
from aims.accounts.models import User
from aims.audit.choices import AuditKind
from aims.audit.models import AuditEvent
from tests.accounts.helpers import post_login
from tests.factories import UserFactory

CALLBACK = "http://testserver/accounts/sso/callback/"
# The provider also puts Olga in "staff": unmapped groups grant nothing (and settings refuse Administrator).
ROLE_MAP = {"aims-officers": Role.OFFICER.value, "aims-committee": Role.COMMITTEE.value}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _provider_env(data: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    return {**clean, "DJANGO_SETTINGS_MODULE": "tests.oidc_provider_project.settings", "OIDC_PROVIDER_DIR": str(data)}


@pytest.fixture(scope="module")
def provider(tmp_path_factory) -> Iterator[dict[str, str]]:
    data = tmp_path_factory.mktemp("idp")
    env = _provider_env(data)
    cwd = django_settings.BASE_DIR
    subprocess.run(
        [sys.executable, "-m", "tests.oidc_provider_project.bootstrap", CALLBACK], env=env, cwd=cwd, check=True
    )
    port = _free_port()
    log = (data / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        env=env,
        cwd=cwd,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(f"{base}/openid/.well-known/openid-configuration", timeout=2).ok:
                break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the identity provider did not start:\n{(data / 'server.log').read_text()}")
        time.sleep(0.2)
    yield {"base": base, "env": env, "cwd": str(cwd)}
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def sso(settings, provider) -> dict[str, str]:
    base = provider["base"]
    settings.AIMS_OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = "aims"
    settings.OIDC_RP_CLIENT_SECRET = "aims-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{base}/openid/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{base}/openid/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{base}/openid/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{base}/openid/jwks"
    settings.AIMS_OIDC_ROLE_MAP = ROLE_MAP
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "aims.accounts.oidc.OIDCBackend"]
    return provider


def _sso_login(client: Client, provider: dict[str, str], username: str) -> requests.Response:
    """Walk the authorization code flow as a browser would: our login redirect, the provider's login form, the
    provider's redirect back with a code, and our callback."""
    start = client.get(reverse("accounts:oidc-login"))
    assert start.status_code == 302, start.status_code
    idp = requests.Session()
    form = idp.get(start["Location"], timeout=10)
    assert "/login/" in form.url
    next_url = parse_qs(urlsplit(form.url).query)["next"][0]
    posted = idp.post(
        urljoin(provider["base"], "/login/"),
        data={
            "username": username,
            "password": "idp-password",
            "next": next_url,
            "csrfmiddlewaretoken": idp.cookies["csrftoken"],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert posted.status_code == 302, posted.text[:500]
    authorized = idp.get(urljoin(provider["base"], posted.headers["Location"]), allow_redirects=False, timeout=10)
    back = authorized.headers["Location"]
    assert back.startswith(CALLBACK), back
    return client.get(back.removeprefix("http://testserver"))


def test_single_sign_on_makes_the_account_with_roles_from_the_groups_claim(sso, db) -> None:
    client = Client()
    response = _sso_login(client, sso, "olga")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    user = User.objects.get(username="olga")
    assert (user.first_name, user.email) == ("Olga", "olga@idp.example")
    assert user.sso_subject and not user.has_usable_password()
    assert user.role_names == [Role.OFFICER]  # "staff" maps to nothing
    assert client.get(reverse("core:decision-list")).status_code == 200
    login = AuditEvent.objects.filter(kind=AuditKind.LOGIN).latest("id")
    assert login.actor == user


def test_roles_follow_the_provider_at_each_login(sso, db) -> None:
    _sso_login(Client(), sso, "cora")
    user = User.objects.get(username="cora")
    assert user.role_names == [Role.COMMITTEE]
    script = (
        "import django; django.setup(); from django.contrib.auth.models import User, Group; "
        "u = User.objects.get(username='cora'); u.groups.set([Group.objects.get(name='aims-officers')])"
    )
    subprocess.run([sys.executable, "-c", script], env=sso["env"], cwd=sso["cwd"], check=True)
    _sso_login(Client(), sso, "cora")
    user.refresh_from_db()
    assert user.role_names == [Role.OFFICER]
    assert User.objects.filter(sso_subject=user.sso_subject).count() == 1


def test_a_provider_account_never_takes_over_a_local_one(sso, db) -> None:
    local = UserFactory(username="admin", roles=[Role.ADMINISTRATOR], is_staff=True)
    client = Client()
    _sso_login(client, sso, "admin")
    local.refresh_from_db()
    assert local.sso_subject is None and local.role_names == [Role.ADMINISTRATOR]
    other = User.objects.get(sso_subject__isnull=False, last_name="Lookalike")
    assert other.pk != local.pk and other.username.startswith("sso-")
    assert client.session["_auth_user_id"] == str(other.pk)


def test_with_sso_the_password_form_can_be_kept_for_administrators(sso, settings, officer, administrator) -> None:
    settings.AIMS_OIDC_LOCAL_LOGIN_STAFF_ONLY = True
    page = Client().get(reverse("accounts:login")).content.decode()
    assert "Log in with single sign-on" in page
    refused = post_login(Client(), "officer")
    assert refused.status_code == 200
    assert "password form is for administrators only" in refused.content.decode()
    assert post_login(Client(), "administrator").status_code == 302


def test_without_configuration_single_sign_on_is_absent(officer) -> None:
    assert Client().get(reverse("accounts:oidc-login")).status_code == 404
    assert "single sign-on" not in Client().get(reverse("accounts:login")).content.decode()
