"""Operator dashboard: figures against hand-computed values, the page and its SVG charts, and the
shop list's plan filter."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from tests.factories import make_shop
from zargar.billing import actions as billing
from zargar.billing.gateways import MockGateway
from zargar.billing.models import Subscription
from zargar.operator import charts, metrics
from zargar.operator.metrics import SubRow
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Tenant

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def at(y, m, d):
    return dt.datetime(y, m, d, tzinfo=UTC)


def row(tenant_id, *, cycle="monthly", monthly="10.00", yearly="120.00", currency="USD", status="active",
        created=at(2026, 1, 1), trial_end=None, canceled=None, updated=None, plan="basic"):
    return SubRow(tenant_id, plan, plan.title(), currency, cycle, Decimal(monthly), Decimal(yearly), status,
                  created, trial_end, canceled, updated or created)


@pytest.fixture(autouse=True)
def _utc(settings):
    settings.TIME_ZONE = "UTC"
    MockGateway.reset()
    yield
    MockGateway.reset()


def test_mrr_normalises_yearly_prices_per_currency():
    rows = [
        row(1, monthly="10.00"),                                   # 10
        row(2, cycle="yearly", yearly="100.00"),                   # 100 / 12 = 8.333…
        row(3, cycle="yearly", yearly="200.00"),                   # 16.666…  -> USD 35.00
        row(4, currency="IRR", monthly="5000000", yearly="0"),     # IRR 5,000,000
        row(5, status="trialing", trial_end=dt.date(2026, 7, 1)),  # trial: not paying
        row(6, status="canceled", canceled=at(2026, 5, 1)),        # gone before NOW
        row(7, status="past_due", monthly="7.00"),                 # still paying: 7
        row(8, created=at(2026, 7, 1)),                            # not started yet at NOW
    ]
    assert metrics.mrr(rows, NOW) == {"IRR": Decimal("5000000.00"), "USD": Decimal("42.00")}


def test_mrr_counts_a_trial_only_from_its_end_and_an_expiry_from_its_last_change():
    converted = row(1, trial_end=dt.date(2026, 6, 1), created=at(2026, 5, 18))  # active since its trial ended
    expired = row(2, status="expired", updated=at(2026, 6, 10))
    assert metrics.mrr([converted, expired], at(2026, 5, 31)) == {"USD": Decimal("10.00")}  # in its trial: only `expired` pays
    assert metrics.mrr([converted, expired], at(2026, 6, 5)) == {"USD": Decimal("20.00")}
    assert metrics.mrr([converted, expired], NOW) == {"USD": Decimal("10.00")}


def test_a_cancellation_scheduled_for_the_period_end_is_paying_until_that_end():
    """Stripe sets `canceled_at` when the cancellation is requested; the subscription pays on
    (status active) until its period ends, and ends then — not at the request."""
    requested = row(1, canceled=at(2026, 5, 10))
    requested = dataclasses.replace(requested, cancel_at_period_end=True, current_period_end=dt.date(2026, 6, 20))
    assert requested.ended_at is None
    assert metrics.mrr([requested], NOW) == {"USD": Decimal("10.00")}
    assert metrics.churn([requested], at(2026, 5, 1), at(2026, 6, 1)).churned == 0

    ended = dataclasses.replace(requested, status="canceled", updated_at=at(2026, 6, 20) + dt.timedelta(minutes=3))
    assert ended.ended_at == at(2026, 6, 20)
    assert metrics.mrr([ended], at(2026, 6, 19)) == {"USD": Decimal("10.00")} and metrics.mrr([ended], at(2026, 6, 21)) == {}
    assert metrics.churn([ended], at(2026, 6, 1), at(2026, 7, 1)).churned == 1
    # Canceled at once after scheduling it: ended when the row last changed, before the period end.
    at_once = dataclasses.replace(ended, updated_at=at(2026, 6, 2))
    assert at_once.ended_at == at(2026, 6, 2)


def test_churn_is_ended_over_paying_at_the_start():
    start, end = at(2026, 5, 1), at(2026, 6, 1)
    rows = [
        row(1), row(2), row(3),
        row(4, status="canceled", canceled=at(2026, 5, 10)),      # churned
        row(5, status="expired", updated=at(2026, 5, 31, )),       # churned (expired at its last change)
        row(6, status="canceled", canceled=at(2026, 4, 20)),      # gone before the period: not in the base
        row(7, status="canceled", created=at(2026, 5, 5), canceled=at(2026, 5, 20)),  # joined and left inside: neither
        row(8, status="canceled", canceled=at(2026, 6, 1)),       # ends at `end`: next period
    ]
    result = metrics.churn(rows, start, end)
    assert (result.paying_at_start, result.churned) == (6, 2)  # rows 1-5 and 8
    assert result.rate == Decimal("33.3")
    assert metrics.churn([], start, end).rate is None


def test_monthly_trends_and_plans():
    rows = [
        row(1, created=at(2026, 4, 10)),
        row(2, created=at(2026, 5, 2), status="canceled", canceled=at(2026, 6, 3), plan="pro", monthly="30.00"),
        row(3, created=at(2026, 6, 1), status="trialing", trial_end=dt.date(2026, 6, 20)),
        row(4, created=at(2026, 6, 2), status="past_due", plan="pro", monthly="30.00"),
    ]
    trend = metrics.mrr_trend(rows, NOW, n=3)["USD"]
    # April's end: shop 1 (10); May's end: 1 + 2 (40); now: 1 + 4 (10 + 30), shop 2 left on June 3.
    assert trend == [(dt.date(2026, 4, 1), Decimal("10.00")), (dt.date(2026, 5, 1), Decimal("40.00")), (dt.date(2026, 6, 1), Decimal("40.00"))]
    churns = metrics.churn_trend(rows, NOW, n=3)
    assert [(m, c.paying_at_start, c.churned) for m, c in churns] == [
        (dt.date(2026, 4, 1), 0, 0), (dt.date(2026, 5, 1), 1, 0), (dt.date(2026, 6, 1), 2, 1),
    ]
    assert churns[2][1].rate == Decimal("50.0")
    assert metrics.live_by_plan(rows) == [("Basic", {"active": 1, "trialing": 1}), ("Pro", {"past_due": 1})]


def test_months_cross_the_year():
    firsts = [first for first, _, _ in metrics.months(3, at(2026, 1, 15))]
    assert firsts == [dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1)]


@pytest.mark.django_db
def test_signups_per_day_and_shops_by_status():
    today = timezone.localdate()
    a, _ = make_shop("Day0 Gold")
    b, _ = make_shop("Day2 Gold")
    c, _ = make_shop("Old Gold")
    Tenant.objects.filter(pk=b.pk).update(created_at=timezone.now() - dt.timedelta(days=2), status="suspended")
    Tenant.objects.filter(pk=c.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    days = metrics.signups_per_day(30)
    assert len(days) == 30 and days[0][0] == today - dt.timedelta(days=29) and days[-1][0] == today
    counts = dict(days)
    assert counts[today] >= 1 and counts[today - dt.timedelta(days=2)] >= 1
    assert sum(counts.values()) == Tenant.objects.filter(created_at__date__gte=today - dt.timedelta(days=29)).count()
    by_status = {value: n for value, _, n in metrics.shops_by_status()}
    assert by_status["suspended"] == Tenant.objects.filter(status="suspended").count() >= 1
    assert set(by_status) == set(Tenant.Status.values)


def _subscribed(name, version, **kwargs):
    tenant, _ = make_shop(name)
    billing.subscribe(tenant, version, today=dt.date(2026, 1, 1), **kwargs)
    return tenant


@pytest.mark.django_db
def test_subscription_rows_read_every_shop_through_rls(operator_client):
    basic = billing.create_plan(code="basic", name="Basic", monthly_price="10.00", yearly_price="120.00").current_version
    gold = billing.create_plan(code="gold", name="Gold", monthly_price="25.00", yearly_price="240.00", currency="EUR").current_version
    _subscribed("Alpha Gold", basic)
    _subscribed("Beta Gold", gold, cycle="yearly")
    gone = _subscribed("Gamma Gold", basic)
    with tenant_context(gone):
        sub = Subscription.objects.get(tenant_id=gone.pk)
        sub.cancel()
        sub.save()
    make_shop("Delta Gold")  # no subscription
    rows = metrics.subscription_rows()
    assert sorted((r.plan_code, r.currency, r.status) for r in rows) == [("basic", "USD", "active"), ("basic", "USD", "canceled"), ("gold", "EUR", "active")]
    assert metrics.mrr(rows, timezone.now()) == {"EUR": Decimal("20.00"), "USD": Decimal("10.00")}

    page = operator_client.get("/operator/")
    assert page.status_code == 200
    body = page.content.decode()
    for chart in ("signups", "status", "mrr", "churn", "plans"):
        assert f'data-testid="chart-{chart}"' in body
    assert body.count("<svg") >= 5 and 'data-chart="line"' in body
    assert re.search(r'data-testid="mrr-EUR">20\.00\xa0EUR<', body) and re.search(r'data-testid="mrr-USD">10\.00\xa0USD<', body)
    assert "Delta Gold" in body  # newest shops
    assert operator_client.get("/operator/", {"days": "90"}).context["m"].days == 90
    assert operator_client.get("/operator/", {"days": "abc"}).context["m"].days == 30

    listed = operator_client.get("/operator/shops/", {"plan": "basic"}).content.decode()
    assert "Alpha Gold" in listed and "Gamma Gold" in listed and "Beta Gold" not in listed and "Delta Gold" not in listed
    listed = operator_client.get("/operator/shops/", {"plan": "none"}).content.decode()
    assert "Delta Gold" in listed and "Alpha Gold" not in listed
    listed = operator_client.get("/operator/shops/", {"plan": "gold", "q": "beta"}).content.decode()
    assert "Beta Gold" in listed and "Alpha Gold" not in listed


@pytest.mark.django_db
def test_dashboard_in_persian_uses_persian_digits(operator_client):
    make_shop("Alpha Gold")
    operator_client.operator.language = "fa"
    operator_client.operator.save()
    page = operator_client.get("/operator/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'dir="rtl"' in body and "داشبورد" in body
    assert re.search(r"[۰-۹]", body)
    translation.activate("en")  # the request left Persian active in this thread


@translation.override("en")
def test_charts_escape_labels_and_draw_one_mark_per_point():
    svg = charts.columns([("<b>", 1, "x<y"), ("b", 3, "b: 3"), ("c", 0, "c: 0")], title="T&", empty="none")
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "T&amp;" in svg
    assert svg.count("<rect") == 3 and 'data-value="3"' in svg
    assert "none" in charts.columns([("a", 0, "")], title="t", empty="none")
    line = charts.line([("a", Decimal("1.5")), ("b", Decimal("3"))], title="t", empty="none")
    assert line.count("<circle") == 2
    bars = charts.stacked_bars([("Basic", [("active", "Active", 2), ("trialing", "Trialing", 1)])], title="t", empty="none")
    assert bars.count("<rect") == 2 and ">3</text>" in bars


@pytest.mark.django_db
def test_an_operator_without_a_shop_lands_on_the_dashboard(operator_client):
    response = operator_client.get("/app/")
    assert response.status_code == 302 and response["Location"] == "/operator/"
