"""Gap-free per-shop document numbers (sale numbers, tags, lot and certificate numbers, ...).

`next_value(tenant, "pos.sale")` runs one `INSERT … ON CONFLICT DO UPDATE … RETURNING` on the
shop's row of that sequence: concurrent callers of the same shop and key queue on that one row
and each gets a different number; other keys and other shops never wait. Call it inside the
transaction that saves the numbered document, so a failed save gives its number back (the
sequence stays gap-free). Runs under the shop's RLS context (the row is a `TenantModel`).
"""

from __future__ import annotations

from django.db import connection

from .models import DocumentSequence


def next_value(tenant, key: str) -> int:
    """The next number (1, 2, 3, …) of sequence `key` in `tenant` (a Tenant or its pk).

    Raises `django.db.DatabaseError` outside the shop's tenant context (RLS refuses the row).
    """
    tenant_id = getattr(tenant, "pk", tenant)
    table = connection.ops.quote_name(DocumentSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} AS s (tenant_id, key, last_value) VALUES (%s, %s, 1) "
            "ON CONFLICT (tenant_id, key) DO UPDATE SET last_value = s.last_value + 1 RETURNING last_value",
            [tenant_id, key],
        )
        (value,) = cursor.fetchone()
    return value


def formatted(tenant, key: str, prefix: str, width: int = 6) -> str:
    """`next_value` as a document number: `formatted(t, "pos.sale", "S-")` → `"S-000042"`."""
    return f"{prefix}{next_value(tenant, key):0{width}d}"
