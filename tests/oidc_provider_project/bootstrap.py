"""python -m tests.oidc_provider_project.bootstrap REDIRECT_URI: migrate, make a signing key, the relying party
(client "aims", secret "aims-secret") and three people with groups. Run with the provider's settings."""

from __future__ import annotations

import sys

import django


def main(redirect_uri: str) -> None:
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from oidc_provider.models import Client, ResponseType

    call_command("migrate", verbosity=0)
    call_command("creatersakey")
    people = [
        ("olga", "Olga", "Officer", ["aims-officers", "staff"]),
        ("cora", "Cora", "Committee", ["aims-committee"]),
        ("admin", "Mallory", "Lookalike", ["aims-officers"]),  # the name of a local administrator
    ]
    for username, first, last, groups in people:
        user = User.objects.create_user(
            username, f"{username}@idp.example", "idp-password", first_name=first, last_name=last
        )
        user.groups.set([Group.objects.get_or_create(name=g)[0] for g in groups])
    client = Client.objects.create(
        name="AIMS portal",
        client_type="confidential",
        client_id="aims",
        client_secret="aims-secret",
        jwt_alg="RS256",
        require_consent=False,
        reuse_consent=True,
        _redirect_uris=redirect_uri,
        _scope="openid email profile groups",
    )
    client.response_types.add(ResponseType.objects.get(value="code"))


if __name__ == "__main__":
    main(sys.argv[1])
