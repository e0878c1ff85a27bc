"""The Celery app. Broker: Redis when REDIS_URL is set, else kombu's filesystem transport
under var/celery (no server needed). Module tasks and beat entries come from manifests."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zargar.settings")

app = Celery("zargar")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_finalize.connect
def _load_module_tasks(sender, **kwargs):
    from zargar.contract.registry import modules

    schedule = dict(sender.conf.beat_schedule or {})
    for cfg in modules():
        manifest = cfg.manifest
        if manifest.tasks:
            __import__(manifest.tasks)
        for entry in manifest.beat:
            schedule[f"{manifest.key}.{entry.name}"] = {"task": entry.task, "schedule": entry.schedule, "kwargs": entry.kwargs}
    sender.conf.beat_schedule = schedule


app.autodiscover_tasks(["zargar.tenancy", "zargar.accounts"])
