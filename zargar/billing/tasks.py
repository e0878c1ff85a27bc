"""Celery tasks of billing (scheduled by `CELERY_BEAT_SCHEDULE` in settings).

Each walks the shops (platform data) and does its work per shop inside that shop's
`tenant_context` — the RLS-respecting way to cover every shop without bypassing RLS.
"""

from __future__ import annotations

from celery import shared_task

from zargar.tenancy.models import Tenant


@shared_task(name="billing.rollup_usage")
def rollup_usage() -> int:
    """Move pending usage events into daily history; returns events moved."""
    from .usage import rollup_all

    return rollup_all()


@shared_task(name="billing.renew_subscriptions")
def renew_subscriptions() -> int:
    """Renew every subscription whose period has ended (applying scheduled changes)."""
    from .actions import renew

    return sum(1 for tenant in Tenant.objects.all() if renew(tenant) is not None)


@shared_task(name="billing.retry_payments")
def retry_payments() -> int:
    """Retry the due payments of past_due subscriptions (dunning schedule)."""
    from .actions import retry_due_payment

    return sum(1 for tenant in Tenant.objects.all() if retry_due_payment(tenant) is not None)
