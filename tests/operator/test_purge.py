"""The daily purge deletes every row of a shop past its deadline — found by introspection — and
nothing of any other shop; the append-only ledgers (one rule, `zargar.tenancy.append_only`)
refuse UPDATE and DELETE to everyone else. Transactional: the purge runs on its own (owner)
connection, which must see committed data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from modules.customers import actions as customer_actions
from modules.inventory import actions as inventory_actions
from modules.rates import actions as rate_actions
from tests.factories import make_member, make_shop, make_user
from zargar.api import actions as key_actions
from zargar.audit.actions import record
from zargar.audit.models import PlatformEvent, ShopAuditCopy
from zargar.operator import actions
from zargar.operator.purge import owner_connection, tenant_tables
from zargar.tenancy.append_only import FUNCTION, PURGE_SETTING
from zargar.operator.tasks import purge_due_tenants
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Tenant

pytestmark = pytest.mark.django_db(transaction=True)


def _populate(name: str):
    tenant, owner = make_shop(name)
    make_member(tenant, "admin")
    key_actions.create_api_key(tenant, name="Server", mode="live", created_by=owner)
    with tenant_context(tenant, user=owner):
        for n in range(2):
            inventory_actions.create_item(
                tenant, sku=f"{name[:3]}-{n}", name="Ring", category="rings", karat=18, quantity=3,
                gross_weight=Decimal("5.000"), net_weight=Decimal("4.500"), price=Decimal("250.00"),
            )
        customer = customer_actions.create_customer(tenant, full_name="Sara")
        customer_actions.issue_store_credit(tenant, customer, Decimal("10"))
        rate_actions.record_rate(tenant, purity="gold_750", unit="gram", buy=Decimal("60"), sell=Decimal("62"), entered_by=owner)
    record("test.event", tenant=tenant, actor=owner)
    return tenant


#: The append-only tables and one real change of each (the trigger compares whole rows).
APPEND_ONLY = {
    "inventory_stockmovement": "quantity = quantity + 1",
    "customers_storecreditentry": "amount = amount + 1",
    "rates_rate": "sell = sell + 1",
}


def _raw(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else cursor.rowcount


def _counts(tenant_id: int) -> dict[str, int]:
    """Rows of `tenant_id` in every table with a tenant_id column, read as the owner account
    in that shop's context (so RLS neither hides rows nor lets another shop's through)."""
    counts = {}
    with owner_connection() as conn, conn.cursor() as cursor:
        cursor.execute("BEGIN")
        cursor.execute("SELECT set_config('app.tenant_id', %s, true)", [str(tenant_id)])
        for table in tenant_tables(conn):
            cursor.execute(f'SELECT count(*) FROM "{table}" WHERE tenant_id = %s', [tenant_id])
            counts[table] = cursor.fetchone()[0]
        cursor.execute("ROLLBACK")
    return counts


def test_purge_deletes_every_row_of_the_shop_and_nothing_else():
    doomed = _populate("Doomed Gold")
    kept = _populate("Kept Gold")
    before_doomed, before_kept = _counts(doomed.pk), _counts(kept.pk)
    populated = {t for t, n in before_doomed.items() if n}
    # The shop really had data, append-only ledgers included.
    assert {"tenancy_membership", "inventory_item", *APPEND_ONLY, "audit_auditevent"} <= populated
    assert len(tenant_tables()) >= 20  # introspection found the module tables, not a hand-kept list

    assert ShopAuditCopy.objects.filter(shop_id=doomed.pk).exists()  # the operators' copy of its audit events

    operator = make_user()  # the scheduling user; the job itself runs as "system"
    actions.schedule_tenant_deletion(doomed, actor=operator, grace_days=0)
    assert purge_due_tenants.delay().get() == [doomed.pk]
    assert not ShopAuditCopy.objects.filter(shop_id=doomed.pk).exists()  # went with the shop's events
    assert ShopAuditCopy.objects.filter(shop_id=kept.pk).exists()

    after = _counts(doomed.pk)
    assert {t: n for t, n in after.items() if n} == {}, "rows of the purged shop remain"
    assert _counts(kept.pk) == before_kept
    assert not Tenant.objects.filter(pk=doomed.pk).exists()
    event = PlatformEvent.objects.get(action="tenancy.shop.purged")
    assert event.changes["tenant_id"] == doomed.pk
    assert event.changes["rows"]["inventory_stockmovement"] == before_doomed["inventory_stockmovement"]


def test_a_restored_shop_is_not_purged():
    tenant = _populate("Saved Gold")
    operator = make_user()
    actions.schedule_tenant_deletion(tenant, actor=operator, grace_days=0)
    actions.restore_tenant(tenant, actor=operator, now=tenant.created_at)  # restored in time
    assert purge_due_tenants.delay().get() == []
    assert _counts(tenant.pk)["inventory_item"] == 2


def test_one_append_only_rule_on_all_three_ledgers():
    rows = _raw(
        "SELECT c.relname, p.proname, t.tgargs FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_proc p ON p.oid = t.tgfoid WHERE t.tgname = c.relname || '_append_only' AND NOT t.tgisinternal"
    )
    found = {name: (func, bytes(args).split(b"\x00")[0].decode()) for name, func, args in rows}
    assert {t: found[t][0] for t in APPEND_ONLY} == {t: FUNCTION for t in APPEND_ONLY}
    # The SET_NULL user keys, from the models' migration state, are the trigger's arguments.
    assert {t: found[t][1] for t in APPEND_ONLY} == {
        "inventory_stockmovement": "actor_id", "customers_storecreditentry": "actor_id", "rates_rate": "entered_by_id",
    }


def test_the_runtime_role_can_neither_update_nor_delete_ledger_rows_even_naming_a_purge():
    tenant = _populate("Ledger Gold")
    actions.schedule_tenant_deletion(tenant, actor=make_user(), grace_days=0)
    with tenant_context(tenant):
        assert _raw("SELECT current_user") == [("zargar_app",)]
        for table, change in APPEND_ONLY.items():
            before = _raw(f"SELECT count(*) FROM {table}")[0][0]
            assert before >= 1, table
            for purge_setting in ("", str(tenant.pk)):
                for sql in (f"UPDATE {table} SET {change}", f"DELETE FROM {table}"):
                    with pytest.raises(DatabaseError, match=f"{table} rows are history and cannot be"):
                        with transaction.atomic():
                            _raw("SELECT set_config(%s, %s, true)", [PURGE_SETTING, purge_setting])
                            _raw(sql)
            assert _raw(f"SELECT count(*) FROM {table}")[0][0] == before, table


def test_the_owner_may_delete_only_the_shop_its_purge_names():
    doomed, kept = _populate("Doomed Gold"), _populate("Kept Gold")
    with owner_connection() as conn, conn.cursor() as cursor:
        for table in APPEND_ONLY:
            for purge_setting in ("", str(kept.pk)):  # no purge named, or another shop's
                cursor.execute("BEGIN")
                cursor.execute("SELECT set_config('app.tenant_id', %s, true), set_config(%s, %s, true)",
                               [str(doomed.pk), PURGE_SETTING, purge_setting])
                with pytest.raises(DatabaseError, match="cannot be deleted"):
                    cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [doomed.pk])
                cursor.execute("ROLLBACK")
            cursor.execute("BEGIN")
            cursor.execute("SELECT set_config('app.tenant_id', %s, true), set_config(%s, %s, true)",
                           [str(doomed.pk), PURGE_SETTING, str(doomed.pk)])
            cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s", [doomed.pk])
            assert cursor.rowcount >= 1, table
            cursor.execute("ROLLBACK")
    assert all(_counts(doomed.pk)[t] for t in APPEND_ONLY)  # every attempt was rolled back
