"""The audit app: auth/impersonation signal receivers and django-auditlog registration.

Every concrete `TenantModel` subclass of the installed apps is registered with django-auditlog
(before/after values of each create, update and delete, in `auditlog.LogEntry`), except:

- append-only ledgers (`NOT_TRACKED`): stock movements, store-credit entries, rates. Their rows
  are never changed (database triggers refuse updates), each row already *is* the record of who
  did what and when (they carry their actor), and they are the highest-volume tables: a LogEntry
  per row would double their writes and say nothing new;
- append-only metering rows (`billing.UsageEvent`): one per API call (the API's hottest write),
  never changed, only rolled up into `DailyUsage` and deleted by the rollup; each row already
  says which shop used what and when, and the call itself is recorded as an `api.request` audit
  event — a LogEntry per row would add a write to every API call and say nothing new;
- the audit tables themselves.

Secret-looking fields (digests, hashes, tokens, secrets, passwords) are fully redacted in the diff
(`redact`: "[redacted]"): django-auditlog's default mask keeps the second half of the value, i.e.
half of a webhook signing secret or an invitation token. A change still shows as a change.
"""

from __future__ import annotations

from django.apps import AppConfig, apps

#: "app_label.ModelName" of append-only tables that auditlog does not track (see above).
NOT_TRACKED = {
    "inventory.StockMovement",
    "customers.StoreCreditEntry",
    "rates.Rate",
    "billing.UsageEvent",
    "audit.AuditEvent",
    "accounting.SourceDocumentLink",
}
_SECRET_WORDS = ("digest", "secret", "hash", "password", "token")
#: What django-auditlog records instead of a secret-looking field's old and new value.
REDACTED = "[redacted]"


def redact(value: str) -> str:
    """django-auditlog's `mask_callable` for secret-looking fields: nothing of the value."""
    return REDACTED if value else ""


def tracked_models():
    from zargar.tenancy.models import TenantModel

    return [
        model
        for model in apps.get_models()
        if issubclass(model, TenantModel)
        and not model._meta.proxy
        and not model._meta.abstract
        and model._meta.label not in NOT_TRACKED
    ]


def register_tenant_models() -> list:
    from auditlog.registry import auditlog

    registered = []
    for model in tracked_models():
        if auditlog.contains(model):
            continue
        masked = [f.name for f in model._meta.concrete_fields if any(w in f.name for w in _SECRET_WORDS)]
        auditlog.register(model, mask_fields=masked, mask_callable="zargar.audit.apps.redact")
        registered.append(model)
    return registered


class AuditConfig(AppConfig):
    name = "zargar.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from . import signals  # noqa: F401

        register_tenant_models()
