"""Celery tasks of outbound webhooks: one attempt of a delivery, and the retry sweep."""

from __future__ import annotations

from celery import shared_task

from zargar.tenancy.tasks import tenant_task

from . import services
from .models import WebhookDelivery


@tenant_task(name="webhooks.deliver")
def deliver(tenant, delivery_id: int, manual: bool = False) -> str | None:
    """Attempt delivery `delivery_id` now; returns the delivery's status afterwards."""
    record = services.attempt(tenant, WebhookDelivery(pk=delivery_id), manual=manual)
    if record is None:
        return None
    return WebhookDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()


@tenant_task(name="webhooks.dispatch_due")
def dispatch_due(tenant) -> int:
    """Queue an attempt of each of the shop's deliveries whose retry is due; returns how many."""
    from django.db import transaction

    ids = services.due_deliveries(tenant)
    tenant_id = tenant.pk
    transaction.on_commit(lambda: [deliver.delay(tenant_id, pk) for pk in ids])
    return len(ids)


@tenant_task(name="webhooks.purge_old")
def purge_old(tenant) -> int:
    """Delete the shop's finished events older than `WEBHOOKS_LOG_RETENTION_DAYS`."""
    from django.conf import settings

    return services.purge_old(tenant, days=settings.WEBHOOKS_LOG_RETENTION_DAYS)


@shared_task(name="webhooks.purge_old_all_shops")
def purge_old_all_shops() -> int:
    """Beat entry (daily): fan out `purge_old` to every shop."""
    from zargar.tenancy.models import Tenant

    ids = list(Tenant.objects.values_list("pk", flat=True))
    for pk in ids:
        purge_old.delay(pk)
    return len(ids)


@shared_task(name="webhooks.dispatch_due_all_shops")
def dispatch_due_all_shops(every_shop: bool = False) -> int:
    """Beat entry (every minute): fan out `dispatch_due` to the shops with a retry due (from
    the `RetryDue` index). `every_shop=True` (the hourly safety net) wakes every active shop."""
    from zargar.tenancy.models import Tenant

    active = set(Tenant.objects.filter(status=Tenant.Status.ACTIVE).values_list("pk", flat=True))
    ids = sorted(active) if every_shop else [pk for pk in services.take_due_shops() if pk in active]
    for pk in ids:
        dispatch_due.delay(pk)
    return len(ids)
