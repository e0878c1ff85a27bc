from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "zargar.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import events, signals, tasks  # noqa: F401  (core event types, signal receivers, Celery tasks)

        signals.connect()
        # The signing secrets are fully redacted in the audit log by zargar.audit (fields named
        # like secrets), which registers every shop model with django-auditlog.
