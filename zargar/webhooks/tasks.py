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


@shared_task(name="webhooks.dispatch_due_all_shops")
def dispatch_due_all_shops() -> int:
    """Beat entry (every minute): fan out `dispatch_due` to every active shop."""
    from zargar.tenancy.models import Tenant

    ids = list(Tenant.objects.filter(status=Tenant.Status.ACTIVE).values_list("pk", flat=True))
    for pk in ids:
        dispatch_due.delay(pk)
    return len(ids)
