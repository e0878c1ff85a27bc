from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zargar.core"
    label = "zargar_core"
    verbose_name = "Zargar core"
