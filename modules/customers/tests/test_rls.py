"""Row-Level Security of the customers tables, seen through raw SQL as the runtime role."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.db import DatabaseError, connection, transaction

from modules.customers import actions
from tests.factories import make_shop
from tests.isolation import assert_table_isolated
from zargar.tenancy.checks import tables_without_forced_rls
from zargar.tenancy.context import tenant_context

from .conftest import raw

pytestmark = pytest.mark.django_db

TABLES = ("customers_customer", "customers_storecreditentry", "customers_customeractivity")


def _fill(tenant, name):
    with tenant_context(tenant):
        customer = actions.create_customer(tenant, full_name=name, phone="+989123456789")
        actions.issue_store_credit(tenant, customer, D("10"), post_to_books=False)
        actions.record_activity(tenant, customer, kind="sale", summary=f"Sale to {name}")


@pytest.fixture
def two_shops(db):
    a, _ = make_shop("Shop A")
    b, _ = make_shop("Shop B")
    _fill(a, "Customer A")
    _fill(b, "Customer B")
    return a, b


def test_runtime_role_and_forced_rls():
    assert raw("SELECT current_user, rolbypassrls FROM pg_roles WHERE rolname = current_user") == [("zargar_app", False)]
    forced = dict(raw("SELECT relname, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s)", [list(TABLES)]))
    assert forced == {t: True for t in TABLES}
    assert not set(tables_without_forced_rls(connection)) & set(TABLES)


@pytest.mark.parametrize("table", TABLES)
def test_each_table_shows_only_the_current_shop(two_shops, table):
    a, b = two_shops
    assert_table_isolated(table, a, b)


def test_writing_into_another_shop_fails(two_shops):
    a, b = two_shops
    with tenant_context(a):
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                raw(
                    "INSERT INTO customers_customer (tenant_id, full_name, phone, email, national_id, address, notes, marketing_consent, created_at, updated_at) "
                    "VALUES (%s, 'Intruder', '', '', '', '', '', false, now(), now())",
                    [b.pk],
                )
        assert raw("UPDATE customers_customer SET full_name = 'Hijacked' WHERE tenant_id = %s", [b.pk]) == 0
        assert raw("DELETE FROM customers_customeractivity WHERE tenant_id = %s", [b.pk]) == 0
        b_customer = raw("SELECT count(*) FROM customers_customer WHERE full_name = 'Customer B'")
        assert b_customer == [(0,)]
    with tenant_context(b):
        assert raw("SELECT full_name FROM customers_customer") == [("Customer B",)]
        assert raw("SELECT count(*) FROM customers_customeractivity") == [(1,)]
        assert raw("SELECT sum(amount) FROM customers_storecreditentry") == [(D("10.00"),)]
