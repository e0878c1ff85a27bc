"""Daily audit jobs (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="zargar.audit.tasks.enforce_retention")
def enforce_retention() -> dict[str, int]:
    """Delete audit entries older than AUDIT_RETENTION_DAYS; returns rows deleted per table."""
    from .actions import delete_expired

    return delete_expired()
