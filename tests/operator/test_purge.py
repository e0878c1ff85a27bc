"""The daily purge deletes every row of a shop past its deadline — found by introspection — and
nothing of any other shop. Transactional: the purge runs on its own (owner) connection, which must
see committed data."""

from __future__ import annotations

from decimal import Decimal

import pytest

from modules.customers import actions as customer_actions
from modules.inventory import actions as inventory_actions
from tests.factories import make_member, make_shop, make_user
from zargar.api import actions as key_actions
from zargar.audit.actions import record
from zargar.audit.models import PlatformEvent
from zargar.operator import actions
from zargar.operator.purge import owner_connection, tenant_tables
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
    record("test.event", tenant=tenant, actor=owner)
    return tenant


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
    assert {"tenancy_membership", "inventory_item", "inventory_stockmovement", "customers_storecreditentry", "audit_auditevent"} <= populated
    assert len(tenant_tables()) >= 20  # introspection found the module tables, not a hand-kept list

    operator = make_user()  # the scheduling user; the job itself runs as "system"
    actions.schedule_tenant_deletion(doomed, actor=operator, grace_days=0)
    assert purge_due_tenants.delay().get() == [doomed.pk]

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
