from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "zargar.api"
    label = "zargar_api"
    verbose_name = "REST API"
