from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "aims.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from aims.audit import receivers

        # Authentication and group membership happen inside Django; their signals are the only place to see
        # them. Everything the portal itself decides is recorded explicitly by its services instead.
        receivers.connect()
