"""The Celery app. Broker: Redis when REDIS_URL is set, else kombu's filesystem transport
under var/celery (no server needed). Module tasks and beat entries come from manifests."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zargar.settings")

app = Celery("zargar")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_configure.connect
def _make_broker_folders(sender, **kwargs):
    """The filesystem transport (no REDIS_URL) needs its folders before a worker starts, and
    beat's schedule file lives under var/celery too."""
    from pathlib import Path

    conf = sender.conf
    folders = [Path(conf.beat_schedule_filename).parent] if conf.beat_schedule_filename else []
    if str(conf.broker_url or "").startswith("filesystem:"):
        options = conf.broker_transport_options or {}
        folders += [Path(options[k]) for k in ("data_folder_in", "data_folder_out", "control_folder") if options.get(k)]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)


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


app.autodiscover_tasks(["zargar.core", "zargar.tenancy", "zargar.accounts", "zargar.audit", "zargar.operator"])
