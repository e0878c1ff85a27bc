"""Writing audit events.

`record(action, tenant=..., obj=..., changes=...)` writes an `AuditEvent` (when `tenant` is given,
inside that shop's `tenant_context` — directly, with one INSERT, when the caller's transaction
already runs as that shop) or a `PlatformEvent` (no shop). Actor, impersonator, IP and
user agent default to the current request's (`zargar.audit.context`). It joins the caller's
transaction: an action that rolls back takes its audit event with it.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from zargar.core.orm import insert_row
from zargar.tenancy.context import current_tenant, tenant_context

from .context import current_origin
from .models import AuditEvent, PlatformEvent

_UNSET = object()


def _label(user) -> str:
    if user is None:
        return ""
    return getattr(user, "email", "") or str(user)


def record(
    action: str,
    *,
    tenant=None,
    obj=None,
    changes: dict | None = None,
    actor=_UNSET,
    actor_label: str | None = None,
    impersonator=_UNSET,
    ip=_UNSET,
    user_agent=_UNSET,
):
    """Write one audit event and return it (an `AuditEvent` or a `PlatformEvent`).

    `action` is dotted ("tenancy.shop.suspended"); `obj` any model instance (its type, pk and
    str are kept); `changes` a JSON-able dict, by convention `{"field": [before, after]}`.
    `actor`/`impersonator` are users (or None); unspecified, they come from the current request.
    """
    origin = current_origin()
    actor = origin.actor if actor is _UNSET else actor
    impersonator = origin.impersonator if impersonator is _UNSET else impersonator
    fields = {
        "action": action,
        "actor": actor if getattr(actor, "pk", None) else None,
        "actor_label": (actor_label if actor_label is not None else _label(actor))[:254],
        "impersonator": impersonator if getattr(impersonator, "pk", None) else None,
        "changes": changes or {},
        "ip": origin.ip if ip is _UNSET else ip,
        "user_agent": (origin.user_agent if user_agent is _UNSET else user_agent or "")[:300],
    }
    if obj is not None:
        fields.update(
            object_type=obj._meta.label_lower, object_id=str(obj.pk or "")[:64], object_repr=str(obj)[:200]
        )
    if tenant is None:
        return PlatformEvent.objects.create(**fields)
    tenant_id = getattr(tenant, "pk", tenant)
    # One plain INSERT (`insert_row`: every API call writes its `api.request` event here, and
    # `save()` cost three times the CPU; audit events are not in the audit log themselves).
    event = AuditEvent(tenant_id=tenant_id, **fields)
    active = current_tenant()
    if active is not None and active.pk == tenant_id and connection.in_atomic_block:
        # The caller's transaction already runs as this shop (the row policy checks only the
        # shop): no savepoint, no settings round trips.
        insert_row(event)
    else:
        with tenant_context(tenant, user=actor if getattr(actor, "pk", None) else None):
            insert_row(event)
    return event


@transaction.atomic
def delete_expired(*, days: int | None = None, now=None) -> dict[str, int]:
    """Delete audit entries older than `days` (default `settings.AUDIT_RETENTION_DAYS`).

    Covers every shop's `AuditEvent` rows (each shop in its own tenant context), `PlatformEvent`
    and django-auditlog's `LogEntry`. Returns the number of rows deleted per table.
    """
    from auditlog.models import LogEntry

    from zargar.tenancy.models import Tenant

    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    shop_rows = 0
    for tenant in Tenant.objects.all():
        with tenant_context(tenant):
            shop_rows += AuditEvent.objects.filter(tenant=tenant, created_at__lt=cutoff).delete()[0]
    platform_rows = PlatformEvent.objects.filter(created_at__lt=cutoff).delete()[0]
    changes_rows = LogEntry.objects.filter(timestamp__lt=cutoff).delete()[0]
    return {"audit_auditevent": shop_rows, "audit_platformevent": platform_rows, "auditlog_logentry": changes_rows}
