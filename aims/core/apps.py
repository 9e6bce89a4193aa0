from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "aims.core"
    label = "core"
    verbose_name = "Core"
