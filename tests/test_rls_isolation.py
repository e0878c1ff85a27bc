"""Tenant isolation enforced by PostgreSQL, seen through raw SQL as the runtime role."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from modules.inventory.models import Item
from zargar.tenancy.checks import tables_without_forced_rls
from zargar.tenancy.context import read_settings, tenant_context

from .factories import make_shop

pytestmark = pytest.mark.django_db


def _item(tenant, sku):
    with tenant_context(tenant):
        return Item.objects.create(tenant=tenant, sku=sku, name=sku, karat=18, gross_weight=Decimal("5"), net_weight=Decimal("4.5"), price=Decimal("100"))


@pytest.fixture
def two_shops():
    a, _ = make_shop("Shop A")
    b, _ = make_shop("Shop B")
    _item(a, "A-1")
    _item(b, "B-1")
    _item(b, "B-2")
    return a, b


def _raw(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def test_connection_role_cannot_bypass_rls():
    (row,) = _raw("SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    rolname, rolsuper, rolbypassrls = row
    assert rolname == "zargar_app"
    assert rolsuper is False and rolbypassrls is False
    owners = {owner for (owner,) in _raw("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")}
    assert rolname not in owners, "the runtime role must not own any table"


def test_every_tenant_id_table_has_rls_enabled_and_forced():
    tables = [t for (t,) in _raw(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' WHERE c.relkind = 'r'"
    )]
    assert {"inventory_item", "tenancy_membership", "tenancy_moduleactivation", "zargar_api_apikey"} <= set(tables)
    assert tables_without_forced_rls(connection) == []


def test_raw_sql_in_tenant_a_sees_none_of_b(two_shops):
    a, b = two_shops
    with tenant_context(a):
        rows = _raw("SELECT sku, tenant_id FROM inventory_item")
        assert rows == [("A-1", a.pk)]
        assert _raw("SELECT count(*) FROM inventory_item WHERE tenant_id = %s", [b.pk]) == [(0,)]


def test_no_tenant_set_sees_nothing_and_cannot_insert(two_shops):
    a, _ = two_shops
    with transaction.atomic():
        assert _raw("SELECT count(*) FROM inventory_item") == [(0,)]
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                _raw(
                    "INSERT INTO inventory_item (tenant_id, sku, name, category, karat, gross_weight, net_weight, quantity, price, created_at, updated_at) "
                    "VALUES (%s, 'X', 'X', '', 18, 1, 1, 1, 1, now(), now())",
                    [a.pk],
                )


def test_insert_or_update_into_another_tenant_fails(two_shops):
    a, b = two_shops
    with tenant_context(a):
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                _raw(
                    "INSERT INTO inventory_item (tenant_id, sku, name, category, karat, gross_weight, net_weight, quantity, price, created_at, updated_at) "
                    "VALUES (%s, 'X', 'X', '', 18, 1, 1, 1, 1, now(), now())",
                    [b.pk],
                )
        with connection.cursor() as cursor:
            cursor.execute("UPDATE inventory_item SET name = 'hacked' WHERE tenant_id = %s", [b.pk])
            assert cursor.rowcount == 0
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                _raw("UPDATE inventory_item SET tenant_id = %s WHERE tenant_id = %s", [b.pk, a.pk])
    with tenant_context(b):
        assert sorted(name for (name,) in _raw("SELECT name FROM inventory_item")) == ["B-1", "B-2"]


def test_tenant_context_restores_outer_settings(two_shops):
    a, b = two_shops
    with tenant_context(a):
        with tenant_context(b):
            assert read_settings()[0] == str(b.pk)
        assert read_settings()[0] == str(a.pk)
        assert _raw("SELECT sku FROM inventory_item") == [("A-1",)]


def test_identity_read_policies_never_allow_writes(two_shops):
    """The extra read paths (own memberships by app.user_id, API-key lookup) are SELECT-only."""
    from zargar.tenancy.context import set_local
    from zargar.tenancy.models import Membership

    a, b = two_shops
    with tenant_context(b):
        owner_b = Membership.objects.get(tenant=b).user
    with transaction.atomic():
        set_local(None, owner_b)  # no shop, but the user's own memberships are readable
        assert _raw("SELECT tenant_id FROM tenancy_membership") == [(b.pk,)]
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM tenancy_membership WHERE user_id = %s", [owner_b.pk])
            assert cursor.rowcount == 0
            cursor.execute("UPDATE tenancy_membership SET role = 'viewer' WHERE user_id = %s", [owner_b.pk])
            assert cursor.rowcount == 0
    with tenant_context(a):  # another shop's context cannot touch them either
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM tenancy_membership WHERE user_id = %s", [owner_b.pk])
            assert cursor.rowcount == 0
    with tenant_context(b):
        assert Membership.objects.get(user=owner_b).role == "owner"
