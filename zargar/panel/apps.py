from django.apps import AppConfig


class PanelConfig(AppConfig):
    name = "zargar.panel"
    label = "panel"
    verbose_name = "Tenant panel"
