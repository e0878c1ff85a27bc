from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

#: What django-auditlog records for a signing secret's old and new value.
REDACTED = "[redacted]"


def redact(value: str) -> str:
    """auditlog's `mask_callable` for signing secrets: nothing of the value (auditlog's default
    mask keeps the second half of the string, i.e. half of a plaintext secret in the log)."""
    return REDACTED if value else ""


class WebhooksConfig(AppConfig):
    name = "zargar.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import events, signals, tasks  # noqa: F401  (core event types, signal receivers, Celery tasks)

        signals.connect()
        self._redact_secrets_in_audit_log()

    def _redact_secrets_in_audit_log(self) -> None:
        """`zargar.audit` registers every shop model with django-auditlog, masking fields named
        like secrets with auditlog's default mask, which keeps half of the value: register the
        endpoint again (or first) with its secrets fully redacted. A rotation still shows in the
        log as a change of `secret`."""
        from auditlog.registry import auditlog

        from .models import WebhookEndpoint

        if auditlog.contains(WebhookEndpoint):
            auditlog.unregister(WebhookEndpoint)
        auditlog.register(WebhookEndpoint, mask_fields=["secret", "previous_secret"], mask_callable="zargar.webhooks.apps.redact")
