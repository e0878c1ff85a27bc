"""Celery tasks of the knowledge base."""

from __future__ import annotations

import io

from celery import shared_task
from django.core.management import call_command


@shared_task(name="knowledge_base.publish_scheduled")
def publish_scheduled() -> str:
    """Run Wagtail's `publish_scheduled` command: publish pages and announcements whose
    `go_live_at` has come, unpublish those past `expire_at`. Scheduled by Celery beat every
    minute (`CELERY_BEAT_SCHEDULE`); returns the command's output."""
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue()
