"""Metered usage without a hot row.

Design
------
* Metered metrics (`api_calls_per_month`, `storage_mb`) are recorded by `record_usage`, which
  only ever INSERTs one `UsageEvent` row (append-only, no UPDATE): concurrent requests of one
  shop never wait on a shared counter row.
* The Celery task `billing.rollup_usage` (every few minutes, see settings' beat schedule) moves
  events into `DailyUsage` (tenant, metric, date, value): per shop, inside
  `tenant_context(shop)`, it locks the shop's pending events (`SELECT … FOR UPDATE SKIP LOCKED`),
  adds their sums to the day rows (one upsert per metric and day) and deletes exactly those
  events, in one transaction — an event is counted either as pending or as rolled up, never
  both nor neither.
* Current-period total = Σ DailyUsage of the month + Σ pending UsageEvents of the month
  (`monthly_total`). Months are calendar months in UTC.
* Gauge metrics (users, items, branches, terminals) are not metered: `gauge_value` counts rows
  in their source tables at check time.
"""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from zargar.core.orm import insert_row
from zargar.tenancy.context import current_tenant, tenant_context
from zargar.tenancy.models import Membership, Tenant

from .models import DailyUsage, Metric, UsageEvent


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def record_usage(tenant, metric: str, quantity: int = 1, *, at: dt.datetime | None = None) -> UsageEvent:
    """Append one usage event (`quantity` units of `metric`) for `tenant`.

    One plain INSERT (`zargar.core.orm.insert_row`: every API call writes one, and `save()`
    cost three times the CPU; the model is outside the audit log, so no signal is missed). When
    the caller's transaction already runs as `tenant` (an API request after its shop was
    resolved) the event joins it directly, with no savepoint and no settings round trip;
    otherwise it is written inside `tenant_context(tenant)`. This process's cached month total
    (`zargar.billing.enforcement`) is advanced by `quantity`.
    """
    at = at or timezone.now()
    event = UsageEvent(tenant_id=tenant.pk, metric=metric, quantity=quantity, occurred_at=at)
    active = current_tenant()
    if connection.in_atomic_block and active is not None and active.pk == tenant.pk:
        insert_row(event)
    else:
        with tenant_context(tenant):
            insert_row(event)
    from .enforcement import note_usage

    note_usage(tenant.pk, metric, quantity, at)
    return event


def monthly_total(tenant, metric: str, *, today: dt.date | None = None) -> int:
    """Usage of `metric` in the calendar month of `today` (UTC): rolled up + pending."""
    today = today or timezone.now().date()
    start = month_start(today)
    with tenant_context(tenant):
        rolled = DailyUsage.objects.filter(tenant_id=tenant.pk, metric=metric, date__gte=start, date__lte=today).aggregate(s=Sum("value"))["s"] or 0
        start_dt = dt.datetime.combine(start, dt.time.min, tzinfo=dt.timezone.utc)
        pending = UsageEvent.objects.filter(tenant_id=tenant.pk, metric=metric, occurred_at__gte=start_dt).aggregate(s=Sum("quantity"))["s"] or 0
    return int(rolled) + int(pending)


def _count(model_label: str, tenant) -> int:
    try:
        model = apps.get_model(model_label)
    except LookupError:
        return 0
    return model.objects.filter(tenant_id=tenant.pk).count()


GAUGE_SOURCES = {
    Metric.ITEMS: "inventory.Item",
    Metric.BRANCHES: "inventory.Branch",
    Metric.TERMINALS: "pos.Terminal",
}


def gauge_value(tenant, metric: str) -> int:
    """Current count of a gauge metric, read from its source table (0 when the module that owns
    the table is not installed)."""
    with tenant_context(tenant):
        if metric == Metric.USERS:
            return Membership.objects.filter(tenant=tenant).count()
        return _count(GAUGE_SOURCES.get(metric, ""), tenant) if metric in GAUGE_SOURCES else 0


def current_value(tenant, metric: str) -> int:
    from .models import GAUGE_METRICS

    if metric in GAUGE_METRICS:
        return gauge_value(tenant, metric)
    return monthly_total(tenant, metric)


def rollup_tenant(tenant) -> int:
    """Move `tenant`'s pending usage events into `DailyUsage`; returns the number of events moved."""
    with tenant_context(tenant), transaction.atomic():
        events = list(UsageEvent.objects.select_for_update(skip_locked=True).filter(tenant_id=tenant.pk).values("id", "metric", "quantity", "occurred_at"))
        if not events:
            return 0
        sums: dict[tuple[str, dt.date], int] = {}
        for e in events:
            key = (e["metric"], e["occurred_at"].astimezone(dt.timezone.utc).date())
            sums[key] = sums.get(key, 0) + e["quantity"]
        for (metric, day), value in sums.items():
            row, created = DailyUsage.objects.get_or_create(tenant_id=tenant.pk, metric=metric, date=day, defaults={"value": value})
            if not created:
                DailyUsage.objects.filter(pk=row.pk).update(value=F("value") + value)
        UsageEvent.objects.filter(pk__in=[e["id"] for e in events]).delete()
        return len(events)


def rollup_all() -> int:
    """Roll up every shop's events, one shop per transaction (RLS: each inside its own
    `tenant_context`; the shop list itself is platform data)."""
    return sum(rollup_tenant(t) for t in Tenant.objects.all())


__all__ = ["current_value", "gauge_value", "monthly_total", "record_usage", "rollup_all", "rollup_tenant"]
