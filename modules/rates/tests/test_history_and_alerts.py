"""Recording rates (append-only history), choosing the current rate, alerts and repricing hooks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from modules.rates import actions, selectors
from modules.rates.models import Rate, RateAlert, RateAlertTrigger
from modules.rates.tasks import reprice_after_rate_change
from zargar.contract import ExtensionPoint, hooks
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db


def test_rate_is_stored_as_entered_and_per_gram(in_shop, shop):
    _, people = shop
    rate = actions.record_rate(in_shop, purity="gold_750", unit="mithqal", buy=D("4600"), sell=D("4608.30"), entered_by=people["member"])
    rate.refresh_from_db()
    assert (rate.buy, rate.sell, rate.unit) == (D("4600.0000"), D("4608.3000"), "mithqal")
    # 4608.30 / 4.6083 = 1000 exactly; 4600 / 4.6083 = 998.198902...
    assert rate.sell_per_gram == D("1000.000000")
    assert rate.buy_per_gram == D("998.198902")
    assert rate.currency == "USD" and rate.source == "manual" and rate.entered_by == people["member"]


def test_current_rate_is_latest_effective_not_future(in_shop, now):
    old = actions.record_rate(in_shop, purity="gold_750", unit="gram", buy=D("60"), sell=D("62"), effective_at=now - timedelta(days=2), now=now)
    new = actions.record_rate(in_shop, purity="gold_750", unit="gram", buy=D("61"), sell=D("63"), effective_at=now - timedelta(hours=1), now=now)
    backfill = actions.record_rate(in_shop, purity="gold_750", unit="gram", buy=D("59"), sell=D("61"), effective_at=now - timedelta(days=1), now=now)
    actions.record_rate(in_shop, purity="gold_999", unit="gram", buy=D("80"), sell=D("82"), now=now)
    assert selectors.current_rate(in_shop, "gold_750", now=now) == new
    assert selectors.current_rate(in_shop, "gold_750", now=now - timedelta(hours=12)) == backfill
    assert selectors.current_rate(in_shop, "gold_750", now=now - timedelta(days=3)) is None
    assert list(selectors.rates_of(in_shop, purity="gold_750")) == [new, backfill, old]
    assert set(selectors.current_rates(in_shop, now=now)) == {"gold_750", "gold_999"}
    board = {row.purity: row for row in selectors.board(in_shop, unit="mithqal", now=now)}
    # 63 per gram × 4.6083 = 290.3229 → 290.32 USD per mithqal
    assert board["gold_750"].sell == D("290.32") and board["gold_585"].sell is None
    assert len(board) == 8


def test_same_time_tie_takes_the_later_row(in_shop, now):
    actions.record_rate(in_shop, purity="silver_925", unit="gram", buy=D("0.80"), sell=D("0.90"), effective_at=now, now=now)
    second = actions.record_rate(in_shop, purity="silver_925", unit="gram", buy=D("0.81"), sell=D("0.91"), effective_at=now, now=now)
    assert selectors.current_rate(in_shop, "silver_925", now=now) == second


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"buy": D("63"), "sell": D("62")}, "buy"),  # buy above sell: refused
        ({"buy": D("-1"), "sell": D("62")}, "buy"),
        ({"unit": "pound"}, "unit"),
        ({"purity": "gold_800"}, "purity"),
        ({"buy": "abc"}, "buy"),
        ({"buy": D("1.00001")}, "buy"),  # more than 4 decimal places
    ],
)
def test_bad_rates_are_refused_and_nothing_is_written(in_shop, kwargs, field):
    args = {"purity": "gold_750", "unit": "gram", "buy": D("60"), "sell": D("62"), **kwargs}
    with pytest.raises(ValidationError) as info:
        actions.record_rate(in_shop, **args)
    assert field in info.value.message_dict
    assert Rate.objects.count() == 0


def test_future_effective_time_is_refused(in_shop, now):
    with pytest.raises(ValidationError) as info:
        actions.record_rate(in_shop, purity="gold_750", unit="gram", buy=D("60"), sell=D("62"), effective_at=now + timedelta(hours=1), now=now)
    assert "effective_at" in info.value.message_dict


def test_batch_is_all_or_nothing(in_shop):
    with pytest.raises(ValidationError, match="Rate 2"):
        actions.record_rates(in_shop, [
            dict(purity="gold_750", unit="gram", buy=D("60"), sell=D("62")),
            dict(purity="gold_999", unit="gram", buy=D("90"), sell=D("80")),
        ])
    assert Rate.objects.count() == 0


def test_rates_are_append_only(in_shop, shop):
    rate = actions.record_rate(in_shop, purity="gold_750", unit="gram", buy=D("60"), sell=D("62"))
    with pytest.raises(ValidationError):
        rate.save()
    with pytest.raises(ValidationError):
        rate.delete()
    with pytest.raises(DatabaseError, match="history and cannot be changed"):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE rates_rate SET sell = 1 WHERE id = %s", [rate.pk])
    # only entered_by may change, and only to NULL (Django's SET_NULL when that user is deleted)
    _, people = shop
    with pytest.raises(DatabaseError, match="history and cannot be changed"):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE rates_rate SET entered_by_id = %s WHERE id = %s", [people["owner"].pk, rate.pk])
    with pytest.raises(DatabaseError, match="history and cannot be deleted"):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM rates_rate WHERE id = %s", [rate.pk])
    with connection.cursor() as cursor:
        cursor.execute("UPDATE rates_rate SET entered_by_id = NULL WHERE id = %s", [rate.pk])
        assert cursor.rowcount == 1


def _alert(tenant, **kw):
    args = dict(purity="gold_750", side="sell", direction="above", threshold=D("65"), unit="gram")
    args.update(kw)
    return actions.create_alert(tenant, **args)


def test_alert_triggers_once_when_crossed_and_emails_owners_and_admins(in_shop, shop, now, mailoutbox, django_capture_on_commit_callbacks):
    _, people = shop
    alert = _alert(in_shop)
    below_alert = _alert(in_shop, direction="below", threshold=D("60"))
    other_purity = _alert(in_shop, purity="gold_999")
    step = iter(range(1, 100))

    def record(sell):
        with django_capture_on_commit_callbacks(execute=True):
            return actions.record_rate(in_shop, purity="gold_750", unit="gram", buy=D("50"), sell=D(sell), effective_at=now - timedelta(hours=10) + timedelta(minutes=next(step)), now=now)

    record("64")  # first rate, below the threshold: nothing
    assert RateAlertTrigger.objects.count() == 0
    crossing = record("65.10")  # crosses 65 upwards: fires
    assert list(RateAlertTrigger.objects.values_list("alert_id", "rate_id")) == [(alert.pk, crossing.pk)]
    record("66")  # still above: no second trigger
    record("70")
    assert RateAlertTrigger.objects.filter(alert=alert).count() == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert sorted(mail.to) == sorted([people["owner"].email, people["admin"].email])
    assert "65.10" in mail.subject and "USD" in mail.subject
    record("64")  # back below, then up again: fires a second time
    again = record("65")
    assert RateAlertTrigger.objects.filter(alert=alert).count() == 2
    assert RateAlertTrigger.objects.filter(alert=alert).first().rate == again
    record("59.50")  # crosses the "below 60" alert
    assert RateAlertTrigger.objects.filter(alert=below_alert).count() == 1
    assert not RateAlertTrigger.objects.filter(alert=other_purity).exists()
    alert.refresh_from_db()
    assert alert.last_triggered_at is not None


def test_inactive_alert_and_backfilled_rate_do_not_trigger(in_shop, now):
    off = _alert(in_shop)
    actions.set_alert_active(off, False)
    on = _alert(in_shop, threshold=D("80"))
    actions.record_rate(in_shop, purity="gold_750", unit="gram", buy=D("50"), sell=D("70"), now=now)
    assert not RateAlertTrigger.objects.exists()
    # a past rate above 80 goes into history but is not current: no trigger
    actions.record_rate(in_shop, purity="gold_750", unit="gram", buy=D("50"), sell=D("90"), effective_at=now - timedelta(days=1), now=now)
    assert not RateAlertTrigger.objects.filter(alert=on).exists()


def test_alert_in_another_unit_compares_per_gram(in_shop, now):
    # threshold 300 per mithqal = 300 / 4.6083 = 65.099928 per gram; 65.09/g is below, 65.10/g crosses it
    alert = _alert(in_shop, threshold=D("300"), unit="mithqal")
    actions.record_rate(in_shop, purity="gold_750", unit="gram", buy=D("50"), sell=D("65.09"), effective_at=now - timedelta(minutes=1), now=now)
    assert not RateAlertTrigger.objects.exists()
    actions.record_rate(in_shop, purity="gold_750", unit="gram", buy=D("50"), sell=D("65.10"), now=now)
    assert RateAlertTrigger.objects.get().alert == alert


def test_bad_alert_is_refused(in_shop):
    with pytest.raises(ValidationError) as info:
        _alert(in_shop, threshold=D("0"))
    assert "threshold" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        _alert(in_shop, direction="sideways")
    assert "direction" in info.value.message_dict
    assert not RateAlert.objects.exists()


def test_new_current_rate_runs_reprice_hooks(in_shop, now, django_capture_on_commit_callbacks):
    calls = []

    def reprice(tenant, purity):
        calls.append((tenant.pk, purity))
        return 3

    with hooks.register_temporarily(ExtensionPoint.REPRICE_ITEMS, reprice, module_key="rates"):
        with django_capture_on_commit_callbacks(execute=True):
            actions.record_rate(in_shop, purity="gold_916", unit="gram", buy=D("55"), sell=D("57"), now=now)
        assert calls == [(in_shop.pk, "gold_916")]
        # a backfilled (not current) rate does not reprice
        with django_capture_on_commit_callbacks(execute=True):
            actions.record_rate(in_shop, purity="gold_916", unit="gram", buy=D("50"), sell=D("52"), effective_at=now - timedelta(days=3), now=now)
        assert len(calls) == 1
        assert reprice_after_rate_change.delay(in_shop.pk, "gold_916").get() == 3


def test_reprice_skips_hooks_of_modules_off_for_the_shop(in_shop):
    from zargar.tenancy.actions import set_module_enabled

    seen = []
    set_module_enabled(in_shop, "inventory", False, cascade=True)
    with hooks.register_temporarily(ExtensionPoint.REPRICE_ITEMS, lambda t, p: seen.append(p) or 1, module_key="inventory"):
        with tenant_context(in_shop):
            assert reprice_after_rate_change.delay(in_shop.pk, "gold_750").get() == 0
    assert seen == []
