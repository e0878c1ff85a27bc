from django.apps import AppConfig


class ContractConfig(AppConfig):
    name = "zargar.contract"
    label = "zargar_contract"
    verbose_name = "Zargar module contract"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
