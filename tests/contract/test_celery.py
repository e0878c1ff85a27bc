"""The Celery side of the contract: manifest tasks and beat entries reach the Celery app, and
`tenant_task` runs a task body inside the given shop's RLS context."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from modules.inventory import actions as inventory_actions
from tests.factories import make_shop
from zargar import celery_app
from zargar.tenancy.context import current_tenant, read_settings, tenant_context
from zargar.tenancy.tasks import tenant_task


@tenant_task(name="tests.contract.what_the_task_sees")
def what_the_task_sees(tenant, label):
    with connection.cursor() as cursor:
        cursor.execute("SELECT sku FROM inventory_item ORDER BY sku")
        skus = [sku for (sku,) in cursor.fetchall()]
    return {"tenant": tenant.pk, "current": current_tenant().pk, "setting": read_settings()[0], "skus": skus, "label": label}


def test_manifest_beat_entry_and_tasks_reach_the_celery_app():
    celery_app.finalize()
    entry = celery_app.conf.beat_schedule["appraisals.expire-certificates"]
    assert entry["task"] == "appraisals.expire_certificates_all_shops"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({2}, {15})
    assert entry["task"] in celery_app.tasks
    assert "appraisals.expire_certificates" in celery_app.tasks  # imported through manifest.tasks


@pytest.mark.django_db
def test_tenant_task_body_runs_in_the_shops_rls_context():
    a, _ = make_shop("Task A")
    b, _ = make_shop("Task B")
    for tenant, sku in ((a, "A-1"), (b, "B-1"), (b, "B-2")):
        with tenant_context(tenant):
            inventory_actions.create_item(tenant, sku=sku, name=sku, karat=18, gross_weight=Decimal("2"), net_weight=Decimal("2"), price=Decimal("10"))

    assert celery_app.conf.task_always_eager
    seen = what_the_task_sees.delay(b.pk, label="x").get()
    assert seen == {"tenant": b.pk, "current": b.pk, "setting": str(b.pk), "skus": ["B-1", "B-2"], "label": "x"}
    assert what_the_task_sees.delay(a.pk, "y").get()["skus"] == ["A-1"]
    assert current_tenant() is None and read_settings()[0] == "", "the task's context does not outlive it"
