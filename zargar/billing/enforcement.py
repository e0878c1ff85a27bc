"""Limits at the point of action.

`check_limit(tenant, metric, adding=1)` raises `LimitExceeded` when `current + adding` would go
past the shop's limit for `metric` (its `LimitOverride`, else its subscription's plan version's
`LimitPolicy`). No subscription, or no policy for the metric, means no limit. After a
successful check it sends the threshold warnings the new value crosses (`notify_thresholds`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zargar.tenancy.context import tenant_context

from .models import DEFAULT_THRESHOLDS, LimitOverride, LimitPolicy, Metric, Subscription, ThresholdNotice
from .usage import current_value, month_start

__all__ = ["LimitExceeded", "Metric", "check_limit", "effective_limit", "notify_thresholds", "upgrade_url"]


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
    """The shop's limit for `metric` (override first), or None for unlimited."""
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


def check_limit(tenant, metric: str, adding: int = 1) -> None:
    """Refuse (raise `LimitExceeded`) adding `adding` units of `metric` past the limit."""
    limit = effective_limit(tenant, metric)
    if limit is None:
        return
    current = current_value(tenant, metric)
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
        with tenant_context(tenant):
            try:
                with transaction.atomic():
                    _notice, created = ThresholdNotice.objects.get_or_create(tenant_id=tenant.pk, metric=limit.metric, threshold=threshold, period_start=period)
            except IntegrityError:
                created = False
            if not created:
                continue
            # The owners hear it through the notification centre (in-app, email, SMS by their
            # preferences, in each owner's language); emails leave after the commit.
            notify(tenant, USAGE_THRESHOLD, {"shop": tenant.name, "metric": limit.metric, "value": value, "limit": limit.limit, "pct": threshold}, url=upgrade_url())
        sent.append(threshold)
    return sent
