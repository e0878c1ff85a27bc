from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TenancyConfig(AppConfig):
    name = "zargar.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        from . import checks  # noqa: F401
        from .db_roles import grant_runtime_role

        post_migrate.connect(grant_runtime_role, dispatch_uid="zargar.tenancy.grant_runtime_role")
