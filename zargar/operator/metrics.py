"""Platform figures for the operator dashboard: shops, signups, MRR, churn, plans.

Reading: shops come from `tenancy_tenant` (platform-wide). Subscriptions are shop rows under
RLS, so `subscription_rows` reads them shop by shop inside `tenant_context(shop)` (like
`zargar.billing.selectors.all_subscriptions`; RLS is never bypassed) and turns each into a plain
`SubRow`. Every figure below is a pure function of those rows and a moment, so tests compute
them by hand.

Definitions (dates are the platform's time zone, `settings.TIME_ZONE`):

- A subscription **ends** only once its status is `canceled` or `expired` — a live one
  (trialing, active, past due) has not ended, even with `canceled_at` set (Stripe sets it as
  soon as a cancellation at the period end is requested). An ended one ended at
  `canceled_at`, or without it at its last change (`updated_at`: the end is its last write);
  one canceled at its period end (`cancel_at_period_end`) ended at the start of
  `current_period_end`, or at its last change if that came first.
- It is **paying** at moment *t* when it started (`created_at` ≤ *t*), had not ended (end > *t*),
  is not in its trial at *t* (`trial_end` empty or ≤ *t*'s date) and is not still `trialing`.
- **MRR** at *t* = Σ over paying subscriptions of the monthly price of their plan version, a
  yearly price counting as price / 12 — one sum **per currency** (no conversion), rounded to
  0.01. Historical MRR uses today's price of each subscription (plan changes are not dated).
- **Churn** over [*start*, *end*) = (subscriptions paying at *start* that ended in
  [*start*, *end*)) ÷ (subscriptions paying at *start*); None when none was paying.
  A shop that signed up and left inside the period is not in the denominator, so not in the
  numerator either.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from zargar.billing.models import BillingCycle, Subscription, SubscriptionStatus
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Tenant

CENT = Decimal("0.01")
LIVE = (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)
ENDED = (SubscriptionStatus.CANCELED, SubscriptionStatus.EXPIRED)


@dataclass(frozen=True)
class SubRow:
    """One shop's subscription, read once. Prices are Decimals in `currency`."""

    tenant_id: int
    plan_code: str
    plan_name: str
    currency: str
    cycle: str
    monthly_price: Decimal
    yearly_price: Decimal
    status: str
    created_at: dt.datetime
    trial_end: dt.date | None = None
    canceled_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    cancel_at_period_end: bool = False
    current_period_end: dt.date | None = None

    @property
    def ended_at(self) -> dt.datetime | None:
        """When it ended (see the module doc), None while it is live."""
        if self.status not in ENDED:
            return None
        if self.cancel_at_period_end and self.current_period_end is not None:
            period_end = _aware(self.current_period_end)
            return min(period_end, self.updated_at) if self.updated_at is not None else period_end
        return self.canceled_at or self.updated_at

    @property
    def monthly_amount(self) -> Decimal:
        """The monthly-normalised price: yearly / 12 (unrounded)."""
        return self.monthly_price if self.cycle == BillingCycle.MONTHLY else self.yearly_price / 12

    def paying_at(self, moment: dt.datetime) -> bool:
        if self.created_at > moment or self.status == SubscriptionStatus.TRIALING:
            return False
        ended = self.ended_at
        if ended is not None and ended <= moment:
            return False
        return self.trial_end is None or self.trial_end <= timezone.localtime(moment).date()


def subscription_rows() -> list[SubRow]:
    """Every shop's subscription (shops without one are left out), read shop by shop."""
    rows = []
    for tenant in Tenant.objects.order_by("pk"):
        with tenant_context(tenant):
            sub = Subscription.objects.select_related("version__plan").filter(tenant_id=tenant.pk).first()
        if sub is None:
            continue
        version = sub.version
        rows.append(SubRow(
            tenant_id=tenant.pk, plan_code=version.plan.code, plan_name=version.plan.name, currency=version.currency,
            cycle=sub.cycle, monthly_price=version.monthly_price, yearly_price=version.yearly_price, status=sub.status,
            created_at=sub.created_at, trial_end=sub.trial_end, canceled_at=sub.canceled_at, updated_at=sub.updated_at,
            cancel_at_period_end=sub.cancel_at_period_end, current_period_end=sub.current_period_end,
        ))
    return rows


def shops_by_status() -> list[tuple[str, str, int]]:
    """[(status, label, number of shops)] for every status, zeros included."""
    counts = dict(Tenant.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return [(value, str(label), counts.get(value, 0)) for value, label in Tenant.Status.choices]


def signups_per_day(days: int, *, today: dt.date | None = None) -> list[tuple[dt.date, int]]:
    """[(date, shops created that day)] for the `days` days ending today, oldest first, zeros
    included. Days are in the platform's time zone."""
    today = today or timezone.localdate()
    first = today - dt.timedelta(days=days - 1)
    tz = timezone.get_default_timezone()
    counts = dict(
        Tenant.objects.annotate(day=TruncDate("created_at", tzinfo=tz)).filter(day__gte=first, day__lte=today)
        .values_list("day").annotate(n=Count("id")).values_list("day", "n")
    )
    return [(first + dt.timedelta(days=i), counts.get(first + dt.timedelta(days=i), 0)) for i in range(days)]


def mrr(rows: list[SubRow], at: dt.datetime) -> dict[str, Decimal]:
    """{currency: MRR at `at`} (see the module doc), currencies sorted, rounded to 0.01."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row.paying_at(at):
            totals[row.currency] += row.monthly_amount
    return {cur: totals[cur].quantize(CENT, ROUND_HALF_UP) for cur in sorted(totals)}


@dataclass(frozen=True)
class Churn:
    start: dt.datetime
    end: dt.datetime
    paying_at_start: int
    churned: int

    @property
    def rate(self) -> Decimal | None:
        """churned / paying at start as a percentage with one decimal, or None."""
        if not self.paying_at_start:
            return None
        return (Decimal(self.churned * 100) / self.paying_at_start).quantize(Decimal("0.1"), ROUND_HALF_UP)


def churn(rows: list[SubRow], start: dt.datetime, end: dt.datetime) -> Churn:
    """Churn over [`start`, `end`) (see the module doc)."""
    base = [r for r in rows if r.paying_at(start)]
    churned = [r for r in base if r.ended_at is not None and start <= r.ended_at < end]
    return Churn(start, end, len(base), len(churned))


def _month_start(day: dt.date, back: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def months(n: int, now: dt.datetime) -> list[tuple[dt.date, dt.datetime, dt.datetime]]:
    """The last `n` calendar months, oldest first: (first day, start, end), the current month
    ending at `now`."""
    today = timezone.localtime(now).date()
    out = []
    for back in range(n - 1, -1, -1):
        first = _month_start(today, back)
        end = now if back == 0 else _aware(_month_start(today, back - 1))
        out.append((first, _aware(first), end))
    return out


def mrr_trend(rows: list[SubRow], now: dt.datetime, n: int = 12) -> dict[str, list[tuple[dt.date, Decimal]]]:
    """{currency: [(month, MRR at the month's end, or now for this month)]} over `n` months."""
    points = [(first, mrr(rows, end - dt.timedelta(microseconds=1) if end != now else now)) for first, _, end in months(n, now)]
    currencies = sorted({cur for _, values in points for cur in values})
    return {cur: [(first, values.get(cur, Decimal("0.00"))) for first, values in points] for cur in currencies}


def churn_trend(rows: list[SubRow], now: dt.datetime, n: int = 12) -> list[tuple[dt.date, Churn]]:
    """[(month, churn over that calendar month — to now for this month)] over `n` months."""
    return [(first, churn(rows, start, end)) for first, start, end in months(n, now)]


def live_by_plan(rows: list[SubRow]) -> list[tuple[str, dict[str, int]]]:
    """[(plan name, {status: count})] of live subscriptions (trialing, active, past due), the
    plan with most first."""
    by_plan: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        if row.status in LIVE:
            by_plan[row.plan_name][row.status] += 1
    return sorted(((name, dict(c)) for name, c in by_plan.items()), key=lambda item: (-sum(item[1].values()), item[0]))


@dataclass(frozen=True)
class Dashboard:
    days: int
    by_status: list
    signups: list
    signups_total: int
    mrr: dict
    mrr_trend: dict
    churn: Churn
    churn_trend: list
    by_plan: list


def dashboard(days: int = 30, *, now: dt.datetime | None = None) -> Dashboard:
    """Every figure of the operator dashboard for the last `days` days (30 or 90)."""
    now = now or timezone.now()
    rows = subscription_rows()
    signups = signups_per_day(days, today=timezone.localtime(now).date())
    return Dashboard(
        days=days, by_status=shops_by_status(), signups=signups, signups_total=sum(n for _, n in signups),
        mrr=mrr(rows, now), mrr_trend=mrr_trend(rows, now), churn=churn(rows, now - dt.timedelta(days=days), now),
        churn_trend=churn_trend(rows, now), by_plan=live_by_plan(rows),
    )


def plans_of_shops() -> dict[int, tuple[str, str]]:
    """{shop id: (plan code, plan name)} of shops with a subscription (any status)."""
    return {row.tenant_id: (row.plan_code, row.plan_name) for row in subscription_rows()}
