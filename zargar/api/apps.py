from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "zargar.api"
    label = "zargar_api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from . import schema  # noqa: F401  registers the drf-spectacular extensions
        from .decimals import strict_decimals

        strict_decimals()  # decimals in requests are JSON strings
