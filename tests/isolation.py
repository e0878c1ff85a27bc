"""Shared assertions of the raw-SQL tenant-isolation tests (core, modules and plugins)."""

from __future__ import annotations

from django.db import connection, transaction

from zargar.tenancy.context import tenant_context


def raw(sql, params=None):
    """Run SQL on the test connection (the runtime role): rows, or the row count of a write."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else cursor.rowcount


def assert_table_isolated(table: str, a, b) -> None:
    """`table` holds rows of both shops `a` and `b`; raw SQL in each shop's context sees only
    its own, and with no shop set sees none."""
    with tenant_context(a):
        assert raw(f"SELECT DISTINCT tenant_id FROM {table}") == [(a.pk,)], table
        assert raw(f"SELECT count(*) FROM {table} WHERE tenant_id = %s", [b.pk]) == [(0,)], table
    with tenant_context(b):
        assert raw(f"SELECT DISTINCT tenant_id FROM {table}") == [(b.pk,)], table
    with transaction.atomic():
        assert raw(f"SELECT count(*) FROM {table}") == [(0,)], table  # no shop set: nothing
