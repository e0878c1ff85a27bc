"""django-ledger's tables are under the same forced tenant RLS as Zargar's own tables."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from modules.accounting.actions import PostingLine, post_journal_entry
from modules.accounting.chart import AccountKey
from modules.accounting.ledger_rls import installed_ledger_tables, installed_tree_tables
from tests.factories import make_shop
from zargar.tenancy.checks import tables_without_forced_rls
from zargar.tenancy.context import tenant_context
from zargar.tenancy.rls import policy_name

from .conftest import raw

pytestmark = pytest.mark.django_db

migration = importlib.import_module("modules.accounting.migrations.0002_ledger_tenant_rls")


def test_every_table_has_forced_rls():
    assert tables_without_forced_rls(connection) == []


def test_every_django_ledger_table_has_a_tenant_column_and_policy():
    installed = installed_ledger_tables()
    assert len(installed) >= 20
    assert sorted(migration.LEDGER_TABLES) == installed, "django-ledger has tables the RLS migration does not cover"
    assert sorted(migration.TREE_TABLES) == installed_tree_tables()
    rows = raw(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
        "EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND a.attnotnull), "
        "(SELECT p.polname FROM pg_policy p WHERE p.polrelid = c.oid) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' "
        "WHERE c.relname LIKE 'django\\_ledger\\_%%' AND c.relkind = 'r' ORDER BY 1"
    )
    assert [r[0] for r in rows] == installed
    for table, enabled, forced, has_tenant, policy in rows:
        assert (enabled, forced, has_tenant, policy) == (True, True, True, policy_name(table)), table


@pytest.fixture
def two_shops(today):
    a, _ = make_shop("Alpha Gold")
    b, _ = make_shop("Beta Gold")
    sale = [PostingLine.debit(AccountKey.CASH, Decimal("110.00")), PostingLine.credit(AccountKey.SALES_REVENUE, Decimal("110.00"))]
    je_a = post_journal_entry(a, date=today, description="A sale", lines=sale, source=("inventory.item", "1"))
    je_b = post_journal_entry(b, date=today, description="B sale", lines=sale, source=("inventory.item", "1"))
    return a, b, je_a, je_b


def test_raw_sql_sees_only_the_current_shops_books(two_shops):
    a, b, je_a, je_b = two_shops
    assert raw("SELECT current_user")[0][0] == "zargar_app"
    with tenant_context(a):
        assert raw("SELECT uuid, tenant_id FROM django_ledger_journalentrymodel") == [(je_a.uuid, a.pk)]
        assert raw("SELECT count(*) FROM django_ledger_transactionmodel") == [(2,)]
        assert raw("SELECT count(*) FROM django_ledger_transactionmodel WHERE journal_entry_id = %s", [je_b.uuid]) == [(0,)]
        assert raw("SELECT count(*) FROM django_ledger_entitymodel") == [(1,)]
        assert raw("SELECT count(*) FROM django_ledger_accountmodel WHERE tenant_id = %s", [b.pk]) == [(0,)]
    with tenant_context(b):
        assert raw("SELECT description FROM django_ledger_journalentrymodel") == [("B sale",)]
        with connection.cursor() as cursor:
            cursor.execute("UPDATE django_ledger_transactionmodel SET amount = 1 WHERE journal_entry_id = %s", [je_a.uuid])
            assert cursor.rowcount == 0
            cursor.execute("DELETE FROM django_ledger_journalentrymodel WHERE uuid = %s", [je_a.uuid])
            assert cursor.rowcount == 0
    with tenant_context(a):
        assert raw("SELECT sum(amount) FROM django_ledger_transactionmodel") == [(Decimal("220.00"),)]


def test_no_shop_sees_nothing_and_cannot_insert(two_shops):
    a, _, je_a, _ = two_shops
    with tenant_context(a):
        account_id = raw("SELECT account_id FROM django_ledger_transactionmodel LIMIT 1")[0][0]
    with transaction.atomic():
        assert raw("SELECT count(*) FROM django_ledger_journalentrymodel") == [(0,)]
        assert raw("SELECT count(*) FROM django_ledger_transactionmodel") == [(0,)]
        for tenant_id in (None, a.pk):  # the column default (no shop set) or an explicit shop
            with pytest.raises(DatabaseError, match='row-level security|null value in column "tenant_id"'):
                with transaction.atomic():
                    raw(
                        "INSERT INTO django_ledger_transactionmodel (uuid, tx_type, journal_entry_id, account_id, amount, cleared, reconciled, created, updated, tenant_id) "
                        "VALUES (gen_random_uuid(), 'debit', %s, %s, 1, false, false, now(), now(), "
                        "COALESCE(%s, NULLIF(current_setting('app.tenant_id', true), '')::bigint))",
                        [je_a.uuid, account_id, tenant_id],
                    )


def test_cannot_write_rows_into_another_shop(two_shops):
    a, b, je_a, je_b = two_shops
    with tenant_context(a):
        account_id = raw("SELECT account_id FROM django_ledger_transactionmodel LIMIT 1")[0][0]
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                raw(
                    "INSERT INTO django_ledger_transactionmodel (uuid, tx_type, journal_entry_id, account_id, amount, cleared, reconciled, created, updated, tenant_id) "
                    "VALUES (gen_random_uuid(), 'debit', %s, %s, 1, false, false, now(), now(), %s)",
                    [je_b.uuid, account_id, b.pk],
                )
        with pytest.raises(DatabaseError, match="row-level security"):
            with transaction.atomic():
                raw("UPDATE django_ledger_journalentrymodel SET tenant_id = %s WHERE uuid = %s", [b.pk, je_a.uuid])
