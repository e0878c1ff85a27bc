from django.apps import AppConfig


class OperatorConfig(AppConfig):
    name = "zargar.operator"
    label = "operator"
    verbose_name = "Operator panel"
