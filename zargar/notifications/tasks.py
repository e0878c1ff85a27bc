"""Celery task sending notification emails and SMS, with a few retries on failure."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zargar.tenancy.tasks import tenant_task

from .models import Delivery


def retry_delay_seconds(attempts: int) -> int:
    """Seconds before attempt `attempts + 1`: 60, 120, 240 … (doubling, capped at one hour)."""
    return min(60 * 2 ** max(attempts - 1, 0), 3600)


@tenant_task(name="notifications.deliver")
def deliver(tenant, delivery_id: int) -> str:
    """Send one `Delivery` (email or SMS). Returns its new status.

    On failure the error is recorded and, while fewer than `NOTIFICATIONS_MAX_ATTEMPTS`
    attempts were made, the task is scheduled again (`retry_delay_seconds`). A delivery that
    was already sent is left alone (a duplicate task is harmless).
    """
    from .channels import SENDERS, DeliveryError

    delivery = (
        Delivery.objects.select_for_update(of=("self",)).select_related("notification", "notification__recipient", "notification__tenant")
        .filter(tenant=tenant, pk=delivery_id).first()
    )
    if delivery is None or delivery.status in (Delivery.Status.SENT, Delivery.Status.FAILED):
        return delivery.status if delivery else "missing"
    delivery.attempts += 1
    try:
        delivery.provider_id = SENDERS[delivery.channel](delivery)[:200]
    except DeliveryError as exc:
        delivery.last_error = str(exc)[:2000]
        if delivery.attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
            delivery.status = Delivery.Status.FAILED
        else:
            delivery.status = Delivery.Status.RETRYING
            countdown = retry_delay_seconds(delivery.attempts)
            tenant_id = tenant.pk
            transaction.on_commit(lambda: deliver.apply_async((tenant_id, delivery_id), countdown=countdown))
    else:
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
    delivery.save(update_fields=["attempts", "provider_id", "last_error", "status", "sent_at"])
    return delivery.status
