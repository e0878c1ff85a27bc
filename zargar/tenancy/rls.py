"""Row-Level Security policies, emitted by ordinary migrations.

`TenantIsolationPolicy` is a Django constraint: put on a model (every `TenantModel` has it),
`makemigrations` writes it into the migration that creates the table, and applying it runs

    ALTER TABLE t ENABLE ROW LEVEL SECURITY;
    ALTER TABLE t FORCE ROW LEVEL SECURITY;
    CREATE POLICY t_tenant_isolation ON t USING (<tenant match>) WITH CHECK (<tenant match>);
    [CREATE POLICY t_identity_read ON t FOR SELECT USING (<extra_using>);]

with `<tenant match>` = `tenant_id = NULLIF((SELECT current_setting('app.tenant_id', true)), '')::bigint`.
The sub-select is evaluated once per query, not per row; `NULLIF` turns an unset tenant
(`''` after a committed `SET LOCAL`) into NULL, which matches nothing instead of raising.
"""

from __future__ import annotations

import re

from django.db.backends.ddl_references import Statement
from django.db.models import BaseConstraint

TENANT_SETTING = "app.tenant_id"
USER_SETTING = "app.user_id"
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def setting_sql(name: str, sql_type: str = "bigint") -> str:
    """SQL for the value of a transaction setting, NULL when unset."""
    return f"NULLIF((SELECT current_setting('{name}', true)), '')::{sql_type}"


def tenant_match_sql(column: str = "tenant_id") -> str:
    return f"{column} = {setting_sql(TENANT_SETTING)}"


def policy_name(table: str) -> str:
    return f"{table}_tenant_isolation"


def read_policy_name(table: str) -> str:
    return f"{table}_identity_read"


class TenantIsolationPolicy(BaseConstraint):
    """The tenant RLS policy of one table, as a migration-managed constraint.

    `extra_using` (SQL) widens what may be *read*, never what may be written or deleted: it
    becomes a second, `FOR SELECT`-only policy (e.g. a member's own memberships in every shop,
    for the tenant switcher). INSERT, UPDATE and DELETE only ever pass the tenant match.
    """

    def __init__(self, *, name: str, column: str = "tenant_id", extra_using: str = "") -> None:
        super().__init__(name=name)
        if not _IDENT.match(column):
            raise ValueError(f"bad column name {column!r}")
        self.column = column
        self.extra_using = extra_using

    def constraint_sql(self, model, schema_editor):
        # Called inside CREATE TABLE: the policy must come after the table exists.
        schema_editor.deferred_sql.append(self.create_sql(model, schema_editor))
        return None

    def create_sql(self, model, schema_editor):
        table = model._meta.db_table
        match = tenant_match_sql(self.column)
        statements = [
            f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
            f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
            f'DROP POLICY IF EXISTS "{policy_name(table)}" ON "{table}"',
            f'CREATE POLICY "{policy_name(table)}" ON "{table}" USING ({match}) WITH CHECK ({match})',
            f'DROP POLICY IF EXISTS "{read_policy_name(table)}" ON "{table}"',
        ]
        if self.extra_using:
            statements.append(f'CREATE POLICY "{read_policy_name(table)}" ON "{table}" FOR SELECT USING ({self.extra_using})')
        return Statement("%(sql)s", sql="; ".join(statements))

    def remove_sql(self, model, schema_editor):
        table = model._meta.db_table
        return Statement(
            "%(sql)s",
            sql=(
                f'DROP POLICY IF EXISTS "{read_policy_name(table)}" ON "{table}"; '
                f'DROP POLICY IF EXISTS "{policy_name(table)}" ON "{table}"; '
                f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY; '
                f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY'
            ),
        )

    def validate(self, model, instance, exclude=None, using=None):
        """Nothing to validate in Python: the database enforces the policy."""

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        path = "zargar.tenancy.rls.TenantIsolationPolicy"
        if self.column != "tenant_id":
            kwargs["column"] = self.column
        if self.extra_using:
            kwargs["extra_using"] = self.extra_using
        return path, args, kwargs

    def __eq__(self, other):
        if isinstance(other, TenantIsolationPolicy):
            return (self.name, self.column, self.extra_using) == (other.name, other.column, other.extra_using)
        return super().__eq__(other)

    def __hash__(self):
        return hash((self.name, self.column, self.extra_using))
