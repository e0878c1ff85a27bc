"""The plugin's tenant task and its beat fan-out, run eagerly (CELERY_TASK_ALWAYS_EAGER)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from appraisal_helpers import issue
from zargar.tenancy.actions import set_module_enabled
from zargar.tenancy.context import tenant_context
from zargar_appraisals import tasks
from zargar_appraisals.models import AppraisalCertificate


def statuses(shop) -> dict[str, str]:
    with tenant_context(shop.tenant):
        return dict(AppraisalCertificate.objects.values_list("number", "status"))


@pytest.mark.django_db
def test_expire_task_runs_per_shop_in_its_tenant_context(shop_a, shop_b, monkeypatch):
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    issue(shop_a, valid_until=today)                       # APR-000001: still valid today
    issue(shop_a, valid_until=tomorrow)                    # APR-000002
    issue(shop_b, valid_until=today)                       # B's APR-000001
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow + datetime.timedelta(days=1))

    assert tasks.expire_certificates.delay(shop_a.tenant.pk).get() == 2
    assert statuses(shop_a) == {"APR-000001": "expired", "APR-000002": "expired"}
    assert statuses(shop_b) == {"APR-000001": "valid"}, "the task of shop A touched only shop A"

    set_module_enabled(shop_b.tenant, "appraisals", False)
    assert tasks.expire_certificates_all_shops.delay().get() >= 2
    assert statuses(shop_b) == {"APR-000001": "valid"}, "a shop with the module off is left alone"
    set_module_enabled(shop_b.tenant, "appraisals", True)
    tasks.expire_certificates_all_shops.delay().get()
    assert statuses(shop_b) == {"APR-000001": "expired"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_sequential_numbers(shop_a):
    numbers, errors = [], []

    def worker():
        try:
            numbers.append(issue(shop_a).number)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [f"APR-{n:06d}" for n in range(1, 9)]
    connection.close()
