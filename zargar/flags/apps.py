from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FlagsConfig(AppConfig):
    name = "zargar.flags"
    label = "flags"
    verbose_name = _("Feature flags")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zargar.contract import ExtensionPoint
        from zargar.contract.hooks import register

        from .dashboard import beta_cards

        # A core hook (no module key): called for every shop; the flag decides what it shows.
        register(ExtensionPoint.DASHBOARD_CARDS, beta_cards)
