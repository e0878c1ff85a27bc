"""Plan versions are frozen once used; proration matches hand-computed, Stripe-style values."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_shop
from zargar.billing import actions
from zargar.billing.models import Invoice, PlanVersion
from zargar.billing.proration import prorate, to_minor
from zargar.tenancy.context import tenant_context

from .conftest import APRIL_1, make_plan

pytestmark = pytest.mark.django_db


def _amounts(invoice) -> list[int]:
    with tenant_context(invoice.tenant_id):
        return list(invoice.lines.values_list("amount_minor", flat=True))


def test_plan_edit_keeps_existing_subscription_price():
    v1 = make_plan("basic", "10.00", "100.00", limits={"users": 10})
    shop, _owner = make_shop()
    sub = actions.subscribe(shop, v1, today=APRIL_1)
    assert str(sub.price) == "10.00" and to_minor(sub.price, "USD") == 1000

    v2 = actions.save_plan_version(v1.plan, monthly_price="15.00", name="Basic+")
    assert v2.number == 2 and v2.monthly_price == 15 and v2.limits.get().limit == 10  # limits copied

    sub = actions.get_subscription(shop)
    assert sub.version_id == v1.pk
    assert str(sub.price) == "10.00"
    v1.refresh_from_db()
    assert v1.used and str(v1.monthly_price) == "10.00"
    # The used version itself refuses changes.
    v1.monthly_price = 99
    with pytest.raises(ValidationError):
        v1.save()
    assert str(PlanVersion.objects.get(pk=v1.pk).monthly_price) == "10.00"
    # A renewal still bills the old price; the operator moves the subscription explicitly.
    invoice = actions.renew(shop, today=dt.date(2026, 5, 1))
    assert invoice.total_minor == 1000
    actions.move_subscription_to_version(shop, v2)
    invoice = actions.renew(shop, today=dt.date(2026, 6, 1))
    assert invoice.total_minor == 1500


def test_mid_cycle_upgrade_same_cycle():
    # April 2026 = 30 days; change on 16 April → 15 days remain.
    # credit = -round(1000 × 15/30) = -500; charge = round(2500 × 15/30) = 1250; net 750.
    p = prorate(old_price_minor=1000, new_price_minor=2500, period_start=dt.date(2026, 4, 1), period_end=dt.date(2026, 5, 1), change_date=dt.date(2026, 4, 16), old_cycle="monthly", new_cycle="monthly")
    assert (p.credit_minor, p.charge_minor, p.net_minor) == (-500, 1250, 750)
    assert (p.new_period_start, p.new_period_end) == (dt.date(2026, 4, 1), dt.date(2026, 5, 1))


def test_mid_cycle_downgrade_same_cycle():
    # January 2026 = 31 days; change on 11 January → 21 days remain.
    # credit = -round(2900 × 21/31) = -round(1964.516…) = -1965
    # charge =  round(1000 × 21/31) =  round(677.419…)  =   677 ; net -1288 (a credit)
    p = prorate(old_price_minor=2900, new_price_minor=1000, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 2, 1), change_date=dt.date(2026, 1, 11), old_cycle="monthly", new_cycle="monthly")
    assert (p.credit_minor, p.charge_minor, p.net_minor) == (-1965, 677, -1288)


def test_monthly_to_yearly_resets_period():
    # 10 April in a 30-day April period → 21 days remain (10th..30th).
    # credit = -round(1000 × 21/30) = -700; charge = full yearly 10000; net 9300;
    # the new period runs 2026-04-10 → 2027-04-10.
    p = prorate(old_price_minor=1000, new_price_minor=10000, period_start=dt.date(2026, 4, 1), period_end=dt.date(2026, 5, 1), change_date=dt.date(2026, 4, 10), old_cycle="monthly", new_cycle="yearly")
    assert (p.credit_minor, p.charge_minor, p.net_minor) == (-700, 10000, 9300)
    assert (p.new_period_start, p.new_period_end) == (dt.date(2026, 4, 10), dt.date(2027, 4, 10))


def test_yearly_to_monthly_resets_period():
    # 2026 = 365 days; change on 2 July → 183 days remain (to 2027-01-01).
    # credit = -round(10000 × 183/365) = -round(5013.698…) = -5014; charge = monthly 1000; net -4014.
    p = prorate(old_price_minor=10000, new_price_minor=1000, period_start=dt.date(2026, 1, 1), period_end=dt.date(2027, 1, 1), change_date=dt.date(2026, 7, 2), old_cycle="yearly", new_cycle="monthly")
    assert (p.credit_minor, p.charge_minor, p.net_minor) == (-5014, 1000, -4014)
    assert (p.new_period_start, p.new_period_end) == (dt.date(2026, 7, 2), dt.date(2026, 8, 2))


def test_upgrade_now_invoices_the_proration_and_downgrade_credits_the_balance():
    basic = make_plan("basic", "10.00", "100.00")
    pro = make_plan("pro", "25.00", "250.00")
    shop, _owner = make_shop()
    actions.subscribe(shop, basic, today=APRIL_1)

    sub, invoice = actions.change_plan(shop, pro, today=dt.date(2026, 4, 16))
    assert _amounts(invoice) == [-500, 1250]  # as hand-computed above
    assert invoice.total_minor == 750 and invoice.status == Invoice.Status.PAID
    assert sub.version_id == pro.pk and sub.current_period_end == dt.date(2026, 5, 1)

    # Back down on 21 April (10 days left): credit -round(2500×10/30) = -833, charge round(1000×10/30) = 333.
    sub, invoice = actions.change_plan(shop, basic, today=dt.date(2026, 4, 21))
    assert _amounts(invoice) == [-833, 333]
    assert invoice.total_minor == -500 and sub.credit_minor == 500

    # The balance is applied to the renewal: 1000 - 500.
    invoice = actions.renew(shop, today=dt.date(2026, 5, 1))
    assert _amounts(invoice) == [1000, -500]
    assert invoice.total_minor == 500 and actions.get_subscription(shop).credit_minor == 0


def test_change_at_period_end_is_applied_by_the_renewal_task():
    basic = make_plan("basic", "10.00", "100.00", modules=["inventory"])
    pro = make_plan("pro", "25.00", "250.00", modules=["inventory", "customers"])
    shop, _owner = make_shop()
    actions.subscribe(shop, basic, today=APRIL_1)
    sub, invoice = actions.change_plan(shop, pro, cycle="yearly", when="period_end", today=dt.date(2026, 4, 10))
    assert invoice is None and sub.version_id == basic.pk and sub.scheduled_version_id == pro.pk

    invoice = actions.renew(shop, today=dt.date(2026, 5, 1))
    sub = actions.get_subscription(shop)
    assert (sub.version_id, sub.cycle, sub.scheduled_version_id) == (pro.pk, "yearly", None)
    assert (sub.current_period_start, sub.current_period_end) == (dt.date(2026, 5, 1), dt.date(2027, 5, 1))
    assert invoice.total_minor == 25000
    from zargar.contract.registry import enabled_module_keys

    assert "customers" in enabled_module_keys(shop)  # entitlement switched on


def test_cancel_at_period_end_expires_at_renewal():
    basic = make_plan()
    shop, _owner = make_shop()
    actions.subscribe(shop, basic, today=APRIL_1)
    actions.cancel_subscription(shop, at_period_end=True)
    assert actions.renew(shop, today=dt.date(2026, 5, 1)) is None
    assert actions.get_subscription(shop).status == "expired"


def test_trial_then_first_invoice():
    v = make_plan(trial_days=14)
    shop, _owner = make_shop()
    sub = actions.subscribe(shop, v, today=APRIL_1)
    assert sub.status == "trialing" and sub.current_period_end == dt.date(2026, 4, 15)
    invoice = actions.renew(shop, today=dt.date(2026, 4, 15))
    sub = actions.get_subscription(shop)
    assert sub.status == "active" and invoice.status == "paid" and invoice.total_minor == 1000
