"""Row-Level Security of the inventory tables, seen through raw SQL as the runtime role."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import DatabaseError, connection, transaction

from modules.inventory import actions
from tests.factories import make_shop
from tests.isolation import assert_table_isolated
from zargar.tenancy.checks import tables_without_forced_rls
from zargar.tenancy.context import tenant_context

from .conftest import lot_item, piece

pytestmark = pytest.mark.django_db

TABLES = ("inventory_item", "inventory_branch", "inventory_location", "inventory_lot", "inventory_stockmovement", "inventory_stoneline")


def _raw(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


@pytest.fixture
def two_shops(db):
    shops = []
    for name in ("Shop A", "Shop B"):
        tenant, _ = make_shop(name)
        piece(tenant, "P-1", stones=[{"stone_type": "diamond", "count": 1, "carat_weight": D("0.1"), "value": D("10")}])
        lot_item(tenant, "L-1", quantity=3)
        shops.append(tenant)
    return shops


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
    with tenant_context(b):
        b_item, b_location = _raw("SELECT id, location_id FROM inventory_item WHERE sku = 'P-1'")[0]
        b_lot = _raw("SELECT id FROM inventory_lot")[0][0]
    with tenant_context(a):
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                _raw(
                    "INSERT INTO inventory_stockmovement (tenant_id, kind, item_id, location_id, quantity, gross_weight, net_weight, document_id, document, reason, batch, created_at) "
                    "VALUES (%s, 'receipt', %s, %s, 1, 1, 1, '', '', '', gen_random_uuid(), now())",
                    [b.pk, b_item, b_location],
                )
        with connection.cursor() as cursor:
            cursor.execute("UPDATE inventory_lot SET quantity = 99 WHERE id = %s", [b_lot])
            assert cursor.rowcount == 0
            cursor.execute("UPDATE inventory_item SET price = 0 WHERE tenant_id = %s", [b.pk])
            assert cursor.rowcount == 0
            cursor.execute("DELETE FROM inventory_stoneline WHERE tenant_id = %s", [b.pk])
            assert cursor.rowcount == 0
        # The actions see another shop's ids as unknown.
        with pytest.raises(actions.StockError) as raised:
            actions.take_stock_for_sale(a, lines=[(b_item, None, 1)])
        assert raised.value.code == "unknown_item"
    with tenant_context(b):
        assert _raw("SELECT quantity FROM inventory_lot") == [(3,)]
        assert _raw("SELECT count(*) FROM inventory_stoneline") == [(1,)]
