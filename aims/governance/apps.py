from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "aims.governance"
    label = "governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        # A failing automated control check raises a nonconformity; evidence cannot import aims, so it calls back.
        from aims.governance.evidence_hooks import raise_nonconformity_for_failed_check
        from evidence.checks import on_check_failed

        on_check_failed(raise_nonconformity_for_failed_check)
