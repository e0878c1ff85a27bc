"""Reads of billing data."""

from __future__ import annotations

from dataclasses import dataclass

from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Tenant

from .enforcement import effective_limit
from .models import Invoice, Metric, Plan, Subscription
from .usage import current_value


@dataclass(frozen=True)
class UsageBar:
    metric: str
    label: str
    value: int
    limit: int | None
    thresholds: list[int]

    @property
    def percent(self) -> int:
        if not self.limit:
            return 0
        return min(100, round(self.value * 100 / self.limit))

    @property
    def level(self) -> str:
        """"ok", "warning" (past the first threshold) or "full" (at 100 %)."""
        if not self.limit:
            return "ok"
        pct = self.value * 100 / self.limit
        if pct >= 100:
            return "full"
        return "warning" if self.thresholds and pct >= self.thresholds[0] else "ok"


def usage_bars(tenant) -> list[UsageBar]:
    bars = []
    for metric in Metric:
        limit = effective_limit(tenant, metric)
        bars.append(UsageBar(metric.value, str(metric.label), current_value(tenant, metric), limit.limit if limit else None, limit.thresholds if limit else []))
    return bars


def invoices(tenant):
    with tenant_context(tenant):
        return list(Invoice.objects.filter(tenant_id=tenant.pk).prefetch_related("lines"))


def invoice(tenant, pk: int) -> Invoice:
    """Raises `Invoice.DoesNotExist` for another shop's invoice (RLS hides it)."""
    with tenant_context(tenant):
        return Invoice.objects.prefetch_related("lines").select_related("subscription__version__plan").get(pk=pk, tenant_id=tenant.pk)


def offered_plans():
    return [p for p in Plan.objects.filter(archived=False).prefetch_related("versions__limits") if p.current_version]


@dataclass(frozen=True)
class ShopSubscription:
    tenant: Tenant
    subscription: Subscription | None


def all_subscriptions() -> list[ShopSubscription]:
    """Every shop with its subscription, for operators.

    Subscriptions are RLS-protected shop data and the runtime role has no BYPASSRLS: this reads
    them one shop at a time inside `tenant_context(shop)` (N small queries; fine at this
    platform's scale, and it never disables RLS nor uses a SECURITY DEFINER function).
    """
    rows = []
    for tenant in Tenant.objects.order_by("name"):
        with tenant_context(tenant):
            sub = Subscription.objects.select_related("version__plan").filter(tenant_id=tenant.pk).first()
            if sub is not None:
                sub.effective = sub.effective_status
        rows.append(ShopSubscription(tenant, sub))
    return rows
