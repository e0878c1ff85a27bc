"""Deleting every row of a shop (the end of "scheduled for deletion").

The tables are found by introspection — every table in `public` with a `tenant_id` column
(`tenant_tables`, the same catalog query as `zargar.tenancy.checks.tables_without_forced_rls`) —
never from a hand-kept list, so a module added later is purged too.

Why the owner account: the append-only ledgers (stock movements, store credit, rates — every
table given `zargar.tenancy.append_only.AppendOnly`) refuse UPDATE and DELETE to everyone except
the purge of a shop, which is recognised by two things together: the current user is the table's
owner, and the transaction has set `app.purge_tenant_id` (SET LOCAL) to the shop whose rows are
deleted. The purge therefore connects as the owner account of `DATABASE_URL`
(`settings.DATABASE_OWNER_USER`, the account `migrate` uses and the application never serves
requests with), and only for a shop already `scheduled_for_deletion`; the runtime role may set
the same setting but is not the owner, so it opens nothing. The purge also sets `app.tenant_id`
to the shop (SET LOCAL), so a non-superuser owner under FORCE ROW LEVEL SECURITY sees exactly
that shop's rows, and every DELETE names the shop explicitly (`WHERE tenant_id = %s`), so a
superuser owner (who bypasses RLS) cannot touch another shop either.

FK order: Django creates its foreign keys `DEFERRABLE INITIALLY DEFERRED`, so inside the one
transaction the tables are emptied in any order and the constraints are checked at commit; the
tables created outside Django (django-ledger's `tenant_id` FK) cascade from `tenancy_tenant`.
Everything — all tables and the `tenancy_tenant` row — is deleted in one transaction: a failure
leaves the shop whole.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from django.conf import settings
from django.db import connections
from django.db.utils import load_backend

from zargar.tenancy.append_only import PURGE_SETTING
from zargar.tenancy.rls import TENANT_SETTING

OWNER_ALIAS = "zargar_owner"

TENANT_TABLES_SQL = """
    SELECT c.relname
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE c.relkind IN ('r', 'p')
    ORDER BY c.relname
"""


def tenant_tables(connection=None) -> list[str]:
    """Every table in `public` with a `tenant_id` column (catalog introspection)."""
    connection = connection or connections["default"]
    with connection.cursor() as cursor:
        cursor.execute(TENANT_TABLES_SQL)
        return [row[0] for row in cursor.fetchall()]


@contextmanager
def owner_connection() -> Iterator:
    """A separate connection to the same database as the owner account; closed afterwards."""
    default = connections["default"].settings_dict  # the test database's name under pytest
    owner = {**default, "USER": settings.DATABASE_OWNER_USER, "PASSWORD": settings.DATABASE_OWNER_PASSWORD, "CONN_MAX_AGE": 0}
    conn = load_backend(owner["ENGINE"]).DatabaseWrapper(owner, OWNER_ALIAS)
    try:
        yield conn
    finally:
        conn.close()


class PurgeRefused(RuntimeError):
    """The shop is not scheduled for deletion (nothing was deleted)."""


def purge_rows(tenant_id: int) -> dict[str, int]:
    """Delete every row of shop `tenant_id` from every tenant table, then the shop itself.

    Returns `{table: rows deleted}` (the `tenancy_tenant` row included). Raises `PurgeRefused`
    unless the shop's status is `scheduled_for_deletion` (checked under a row lock).
    """
    deleted: dict[str, int] = {}
    with owner_connection() as conn:
        with conn.cursor() as cursor:
            cursor.execute("BEGIN")
            try:
                cursor.execute("SELECT status FROM tenancy_tenant WHERE id = %s FOR UPDATE", [tenant_id])
                row = cursor.fetchone()
                if row is None or row[0] != "scheduled_for_deletion":
                    raise PurgeRefused(f"shop {tenant_id} is not scheduled for deletion")
                cursor.execute(
                    "SELECT set_config(%s, %s, true), set_config(%s, %s, true)",
                    [TENANT_SETTING, str(tenant_id), PURGE_SETTING, str(tenant_id)],
                )
                for table in tenant_tables(conn):
                    cursor.execute(f'DELETE FROM "{table}" WHERE tenant_id = %s', [tenant_id])
                    if cursor.rowcount:
                        deleted[table] = cursor.rowcount
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # fail here, inside the try, not at COMMIT
                cursor.execute("DELETE FROM tenancy_tenant WHERE id = %s", [tenant_id])
                deleted["tenancy_tenant"] = cursor.rowcount
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
    return deleted
