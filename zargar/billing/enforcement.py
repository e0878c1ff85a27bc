"""Limits at the point of action.

`check_limit(tenant, metric, adding=1)` raises `LimitExceeded` when `current + adding` would go
past the shop's limit for `metric` (its `LimitOverride`, else its subscription's plan version's
`LimitPolicy`). No subscription, or no policy for the metric, means no limit. After a
successful check it sends the threshold warnings the new value crosses (`notify_thresholds`).

Caching (per process, so a check on the API's hot path normally costs no query):

- the shop's limit (`effective_limit`) is kept for `LIMIT_TTL` seconds (30) and dropped in this
  process at once — and again when the transaction commits — whenever a `Subscription`,
  `LimitOverride` or `LimitPolicy` is saved or deleted here; another process sees a change within
  `LIMIT_TTL`;
- a metered metric's month total (e.g. `api_calls_per_month`) is read from the database (rolled-up
  days + pending events, `usage.monthly_total`) at most every `USAGE_TTL` seconds (5) per shop,
  and this process's own `record_usage` calls are added to it in between. The monthly limit is
  therefore exact within one process and enforced to within a few seconds of usage across
  processes (other workers' calls of the last `USAGE_TTL` seconds are seen late), like the
  eventual counters of hosted rate limiters. Gauge metrics (users, items, …) are always counted
  afresh;
- a threshold notice known to exist for this month (this process sent it or found it) is not
  looked up again, so a shop past 75 % does not pay a query per call for its warnings, which
  still go out once per threshold and month (`ThresholdNotice` is unique).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zargar.tenancy.context import tenant_context

from .models import DEFAULT_THRESHOLDS, GAUGE_METRICS, LimitOverride, LimitPolicy, Metric, Subscription, ThresholdNotice
from .usage import current_value, month_start, monthly_total

__all__ = ["LimitExceeded", "Metric", "check_limit", "clear_caches", "effective_limit", "notify_thresholds", "upgrade_url"]

#: Seconds a shop's limit is cached per process (see the module doc).
LIMIT_TTL = 30.0
#: Seconds a shop's month total of a metered metric is read from the database at most once.
USAGE_TTL = 5.0
_MAX_ENTRIES = 10_000  # a bound on each cache (shops x metrics); beyond it the cache starts over

_lock = threading.Lock()
_limits: dict[tuple[int, str], tuple[float, "Limit | None"]] = {}
_usage: dict[tuple[int, str], "_MonthCount"] = {}
_notified: set[tuple[int, str, int, object]] = set()


def upgrade_url() -> str:
    return reverse("billing:overview")


class LimitExceeded(Exception):
    """`str(error)` is a user-facing message naming the limit and the upgrade page."""

    def __init__(self, metric: str, limit: int, current: int):
        self.metric, self.limit, self.current = metric, limit, current
        self.upgrade_url = upgrade_url()
        super().__init__(
            _("Your plan allows %(limit)s %(metric)s and this shop has %(current)s. Upgrade your plan at %(url)s to add more.")
            % {"limit": limit, "metric": Metric(metric).label.lower(), "current": current, "url": self.upgrade_url}
        )


@dataclass(frozen=True)
class Limit:
    metric: str
    limit: int
    thresholds: list[int]


def effective_limit(tenant, metric: str) -> Limit | None:
    """The shop's limit for `metric` (override first), or None for unlimited. Reads the database
    (up to three queries); `check_limit` uses a cached copy (`cached_limit`)."""
    with tenant_context(tenant):
        sub = Subscription.objects.filter(tenant_id=tenant.pk).select_related("version").first()
        override = LimitOverride.objects.filter(tenant_id=tenant.pk, metric=metric).first()
    policy = LimitPolicy.objects.filter(version_id=sub.version_id, metric=metric).first() if sub else None
    thresholds = policy.threshold_list() if policy else list(DEFAULT_THRESHOLDS)
    if override is not None:
        return Limit(metric, override.limit, thresholds)
    if policy is not None:
        return Limit(metric, policy.limit, thresholds)
    return None


def cached_limit(tenant, metric: str) -> Limit | None:
    """`effective_limit`, cached in this process for `LIMIT_TTL` seconds (see the module doc)."""
    key = (tenant.pk, metric)
    now = time.monotonic()
    hit = _limits.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    limit = effective_limit(tenant, metric)
    with _lock:
        if len(_limits) >= _MAX_ENTRIES:
            _limits.clear()
        _limits[key] = (now + LIMIT_TTL, limit)
    return limit


@dataclass
class _MonthCount:
    period: object  # the month's first day
    expires: float  # time.monotonic() after which the base is read again
    base: int  # the month total read from the database
    added: int = 0  # this process's own usage recorded since


def _metered_value(tenant, metric: str) -> int:
    """The shop's month total of a metered metric: the cached base plus this process's own
    usage since it was read (see the module doc)."""
    key = (tenant.pk, metric)
    period = month_start(timezone.now().date())
    now = time.monotonic()
    entry = _usage.get(key)
    if entry is not None and entry.period == period and entry.expires > now:
        return entry.base + entry.added
    base = monthly_total(tenant, metric)
    with _lock:
        if len(_usage) >= _MAX_ENTRIES:
            _usage.clear()
        _usage[key] = _MonthCount(period, now + USAGE_TTL, base)
    return base


def note_usage(tenant_id: int, metric: str, quantity: int, at) -> None:
    """Add usage just recorded (`usage.record_usage`) to this process's cached month total."""
    entry = _usage.get((tenant_id, metric))
    if entry is not None and entry.period == month_start(at.astimezone(dt.timezone.utc).date()):
        with _lock:
            entry.added += quantity


def clear_caches() -> None:
    """Forget every cached limit, month total and known notice of this process."""
    with _lock:
        _limits.clear()
        _usage.clear()
        _notified.clear()


def _forget_limits(**kwargs) -> None:
    """A subscription, override or policy changed: drop the cached limits now and again when the
    transaction commits (so a request that read the old rows meanwhile cannot keep them)."""
    _limits.clear()
    transaction.on_commit(_limits.clear)


for _model in (Subscription, LimitOverride, LimitPolicy):
    post_save.connect(_forget_limits, sender=_model, dispatch_uid=f"billing.enforcement.{_model.__name__}.save")
    post_delete.connect(_forget_limits, sender=_model, dispatch_uid=f"billing.enforcement.{_model.__name__}.delete")


def check_limit(tenant, metric: str, adding: int = 1) -> None:
    """Refuse (raise `LimitExceeded`) adding `adding` units of `metric` past the limit.

    No query while the shop's limit (and, for a metered metric, its month total) is cached; a
    gauge metric is counted afresh when the shop has a limit for it.
    """
    limit = cached_limit(tenant, metric)
    if limit is None:
        return
    current = current_value(tenant, metric) if metric in GAUGE_METRICS else _metered_value(tenant, metric)
    if current + adding > limit.limit:
        notify_thresholds(tenant, limit, current)
        raise LimitExceeded(metric, limit.limit, current)
    notify_thresholds(tenant, limit, current + adding)


def notify_thresholds(tenant, limit: Limit, value: int) -> list[int]:
    """Notify the shop's owners (`billing.usage_threshold`) once per crossed threshold per
    month; returns thresholds sent."""
    from zargar.notifications.services import notify
    from zargar.notifications.types import USAGE_THRESHOLD

    if limit.limit <= 0:
        return []
    percent = value * 100 / limit.limit
    crossed = [t for t in limit.thresholds if percent >= t]
    sent = []
    period = month_start(timezone.now().date())
    for threshold in crossed:
        known = (tenant.pk, limit.metric, threshold, period)
        if known in _notified:
            continue  # sent (or found) by this process this month: no query
        with tenant_context(tenant):
            try:
                with transaction.atomic():
                    _notice, created = ThresholdNotice.objects.get_or_create(tenant_id=tenant.pk, metric=limit.metric, threshold=threshold, period_start=period)
            except IntegrityError:
                created = False
            # Remembered once the notice is committed (a rolled-back request must not hide it).
            transaction.on_commit(lambda known=known: _remember_notice(known))
            if not created:
                continue
            # The owners hear it through the notification centre (in-app, email, SMS by their
            # preferences, in each owner's language); emails leave after the commit.
            notify(tenant, USAGE_THRESHOLD, {"shop": tenant.name, "metric": limit.metric, "value": value, "limit": limit.limit, "pct": threshold}, url=upgrade_url())
        sent.append(threshold)
    return sent


def _remember_notice(known) -> None:
    with _lock:
        if len(_notified) >= _MAX_ENTRIES:
            _notified.clear()
        _notified.add(known)
