from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "controls"
    verbose_name = "Controls and SoA"

    def ready(self) -> None:
        from aims.core.choices import DecisionKind
        from aims.core.services import after_decision
        from controls import services

        # An SoA version is numbered the moment it is approved, on whichever page the committee approved it.
        after_decision(DecisionKind.SOA_VERSION, lambda decision: services.number_approved_versions())
