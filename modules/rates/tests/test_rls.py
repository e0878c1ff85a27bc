"""Row-Level Security of the rates tables, seen through raw SQL as the runtime role."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import DatabaseError, connection, transaction

from modules.rates import actions
from tests.factories import make_shop
from tests.isolation import assert_table_isolated
from zargar.tenancy.checks import tables_without_forced_rls
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db

TABLES = ("rates_rate", "rates_ratealert", "rates_ratealerttrigger", "rates_pricequote")


def _raw(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def _fill(tenant, sell):
    with tenant_context(tenant):
        actions.create_alert(tenant, purity="gold_750", side="sell", direction="above", threshold=D("1"))
        actions.record_rate(tenant, purity="gold_750", unit="gram", buy=D("1"), sell=D(sell))  # fires the alert
        actions.quote_price(tenant, purity="gold_750", net_weight=D("1"))


@pytest.fixture
def two_shops(db):
    a, _ = make_shop("Shop A")
    b, _ = make_shop("Shop B")
    _fill(a, "10")
    _fill(b, "20")
    return a, b


def test_runtime_role_and_forced_rls():
    assert _raw("SELECT current_user, rolbypassrls FROM pg_roles WHERE rolname = current_user") == [("zargar_app", False)]
    forced = dict(_raw("SELECT relname, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s)", [list(TABLES)]))
    assert forced == {t: True for t in TABLES}
    assert not set(tables_without_forced_rls(connection)) & set(TABLES)


@pytest.mark.parametrize("table", TABLES)
def test_each_table_shows_only_the_current_shop(two_shops, table):
    a, b = two_shops
    assert_table_isolated(table, a, b)


def test_writing_into_another_shop_fails(two_shops):
    a, b = two_shops
    with tenant_context(a):
        assert _raw("SELECT sell FROM rates_rate") == [(D("10.0000"),)]
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                _raw(
                    "INSERT INTO rates_rate (tenant_id, purity, unit, buy, sell, buy_per_gram, sell_per_gram, currency, effective_at, source, provider_key, created_at) "
                    "VALUES (%s, 'gold_750', 'gram', 1, 2, 1, 2, 'USD', now(), 'manual', '', now())",
                    [b.pk],
                )
        with connection.cursor() as cursor:
            cursor.execute("UPDATE rates_ratealert SET active = false WHERE tenant_id = %s", [b.pk])
            assert cursor.rowcount == 0
            cursor.execute("DELETE FROM rates_pricequote WHERE tenant_id = %s", [b.pk])
            assert cursor.rowcount == 0
    with tenant_context(b):
        assert _raw("SELECT active FROM rates_ratealert") == [(True,)]
        assert _raw("SELECT count(*) FROM rates_pricequote") == [(1,)]
