"""Personal API tokens: hashed at rest, shown once, expiring, revocable, refused once access ends."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient

from aims.accounts import services
from aims.accounts.models import ApiToken, hash_token
from aims.core.exceptions import ServiceError


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_it_stores_only_the_hash_of_a_new_token(officer) -> None:
    token, key = services.create_api_token(user=officer.user, name="script", days=30)
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hash_token(key)
    assert key not in {stored.key_hash, stored.prefix, stored.name}
    assert key.startswith(stored.prefix)


def test_a_new_token_authenticates_the_api(officer) -> None:
    _, key = services.create_api_token(user=officer.user, name="script", days=30)
    response = _api(key).get(reverse("api:me"))
    assert response.status_code == 200
    assert response.json()["username"] == "officer"
    assert response.json()["roles"] == ["Governance officer"]


def test_it_refuses_an_expired_token(officer) -> None:
    _, key = services.create_api_token(user=officer.user, name="script", days=1)
    with freeze_time(timezone.now() + timedelta(days=2)):
        response = _api(key).get(reverse("api:me"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_it_refuses_a_revoked_token(officer) -> None:
    token, key = services.create_api_token(user=officer.user, name="script", days=30)
    services.revoke_api_token(token=token, by=officer.user)
    assert _api(key).get(reverse("api:me")).status_code == 401


def test_it_refuses_an_unknown_or_malformed_token(db) -> None:
    assert _api("aims_pat_not-a-real-token").get(reverse("api:me")).status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token two parts")
    assert client.get(reverse("api:me")).status_code == 401


def test_an_unauthenticated_request_is_told_how_to_authenticate(db) -> None:
    response = APIClient().get(reverse("api:me"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_never_outlives_the_accounts_access(auditor) -> None:
    token, _ = services.create_api_token(user=auditor.user, name="pack download", days=365)
    assert token.expires_at.date() <= auditor.user.access_expires_on + timedelta(days=1)


def test_an_expired_account_cannot_create_a_token(expired_auditor) -> None:
    with pytest.raises(ServiceError):
        services.create_api_token(user=expired_auditor.user, name="late", days=1)


def test_an_expired_auditors_existing_token_is_refused(expired_auditor) -> None:
    response = expired_auditor.api().get(reverse("api:me"))
    assert response.status_code == 401
    assert "access has ended" in response.json()["error"]["message"]


def test_it_records_when_a_token_was_last_used(officer) -> None:
    token, key = services.create_api_token(user=officer.user, name="script", days=30)
    _api(key).get(reverse("api:me"))
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_create_api_token_prints_the_token_as_its_last_line(officer) -> None:
    out = StringIO()
    call_command("create_api_token", "officer", "--days", "7", stdout=out, stderr=StringIO())
    key = out.getvalue().strip().splitlines()[-1]
    assert ApiToken.objects.filter(key_hash=hash_token(key), user=officer.user).exists()
    assert _api(key).get(reverse("api:me")).status_code == 200


def test_create_api_token_rejects_an_unknown_user_and_a_bad_lifetime(officer) -> None:
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", "nobody", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="between 1 and"):
        call_command("create_api_token", "officer", "--days", "0", stdout=StringIO(), stderr=StringIO())


def test_the_tokens_page_shows_a_new_key_once_and_revokes(officer) -> None:
    client = officer.client()
    response = client.post(reverse("accounts:tokens"), {"name": "laptop", "days": 30})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key and key in response.content.decode()
    token = ApiToken.objects.get(key_hash=hash_token(key))
    assert key not in client.get(reverse("accounts:tokens")).content.decode()
    client.post(reverse("accounts:token-revoke", kwargs={"pk": token.pk}))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_tokens_page_explains_a_bad_lifetime(officer) -> None:
    response = officer.client().post(reverse("accounts:tokens"), {"name": "laptop", "days": 100000})
    assert response.status_code == 400
    assert "less than or equal to" in response.content.decode()
    assert not ApiToken.objects.filter(name="laptop").exists()
