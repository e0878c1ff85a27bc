"""Daily operator jobs (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="zargar.operator.tasks.purge_due_tenants")
def purge_due_tenants() -> list[int]:
    """Purge every shop whose deletion deadline has passed; returns their ids."""
    from .actions import purge_due_tenants as purge

    return purge()
