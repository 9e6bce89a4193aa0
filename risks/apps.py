from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = "Risks and impact"

    def ready(self) -> None:
        from aims.core.choices import DecisionKind
        from aims.core.services import after_decision
        from risks import services

        # Acceptances and sign-offs are decided on the risk pages or on the generic decisions page and API; the
        # same hook refuses whoever answers for the risk or owns the system, and applies the outcome, either way.
        after_decision(DecisionKind.RISK_ACCEPTANCE, services.on_acceptance_decided)
        after_decision(DecisionKind.IMPACT_ASSESSMENT, services.on_signoff_decided)
