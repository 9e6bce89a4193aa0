from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "aims.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from aims.accounts import receivers, schema  # noqa: F401  schema registers the token scheme
        from aims.accounts.roles import sync_roles_after_migrate

        # Roles are configuration, not domain data: keeping the groups in step with roles.py after every
        # migrate means a deployment can never run with stale permissions.
        post_migrate.connect(sync_roles_after_migrate)
        # A lockout happens inside django-axes; its signal is the only place to see it (audited there).
        receivers.connect()
