"""One append-only rule for ledgers and history tables, installed by a migration operation.

    from zargar.tenancy.append_only import AppendOnly

    operations = [AppendOnly("stockmovement")]   # in the migration of the app that owns the model

installs a row trigger `<table>_append_only` (BEFORE UPDATE OR DELETE, FOR EACH ROW) that runs
the shared function `zargar_append_only()`. The rule, the same on every table:

- **no DELETE**, **no UPDATE**, by anyone — the runtime role, the ORM, raw SQL, a shop's admin;
- one UPDATE is let through because Django itself issues it: a foreign key declared
  `on_delete=SET_NULL` (e.g. `actor`, `entered_by`) may become NULL when the row it points to
  (a user account) is deleted. The columns are taken from the model's migration state when the
  operation runs, and passed to the trigger as arguments; every other column is frozen, and
  such a column may only become NULL, never point elsewhere;
- **except the purge of a shop** (`zargar.operator.purge.purge_rows`): rows of shop *N* may be
  deleted (or updated) only when **both** hold:
    1. the current user is the table's owner (or a member of it) — the account `migrate` runs
       as (`DATABASE_URL`), which the application never uses for requests, tasks or commands;
    2. the transaction has set `app.purge_tenant_id = N` (`SET LOCAL`; `PURGE_SETTING`).
  The runtime role can set the setting — any role can set a custom setting — but it is not the
  owner, so the setting alone opens nothing; and the owner's own maintenance must name the one
  shop it purges, so a stray `DELETE` as the owner is refused too.

Refusals raise SQLSTATE `23001` (`restrict_violation`, an `IntegrityError` in Django) with the
message `<table> rows are history and cannot be changed|deleted (append-only; record a new row)`.
`TRUNCATE` fires no row trigger (test flushes use it; the runtime role is not granted it in
production).

Reversing the operation drops the table's trigger (the shared function stays: other tables use it).
"""

from __future__ import annotations

from django.db import models
from django.db.migrations.operations.base import Operation

#: Transaction setting naming the shop whose rows the owner's purge may delete.
PURGE_SETTING = "app.purge_tenant_id"
FUNCTION = "zargar_append_only"

FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb;
    purge_id text := NULLIF(current_setting('{PURGE_SETTING}', true), '');
    col text;
BEGIN
    -- The purge of one shop: the table owner, in a transaction that named that shop.
    IF purge_id IS NOT NULL
       AND old_row ->> 'tenant_id' = purge_id
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% rows are history and cannot be deleted (append-only; record a new row)', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END IF;
    new_row := to_jsonb(NEW);
    -- Foreign keys declared on_delete=SET_NULL (the trigger's arguments) may only become NULL.
    IF TG_NARGS > 0 THEN
        FOREACH col IN ARRAY TG_ARGV LOOP
            IF (new_row -> col) IS DISTINCT FROM (old_row -> col) AND (new_row ->> col) IS NOT NULL THEN
                RAISE EXCEPTION '% rows are history and cannot be changed (append-only; record a new row)', TG_TABLE_NAME
                    USING ERRCODE = 'restrict_violation';
            END IF;
            old_row := old_row - col;
            new_row := new_row - col;
        END LOOP;
    END IF;
    IF new_row IS DISTINCT FROM old_row THEN
        RAISE EXCEPTION '% rows are history and cannot be changed (append-only; record a new row)', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;
"""


def trigger_name(table: str) -> str:
    return f"{table}_append_only"


def set_null_columns(model) -> list[str]:
    """Columns of `model`'s foreign keys declared `on_delete=SET_NULL`, sorted."""
    return sorted(
        f.column
        for f in model._meta.concrete_fields
        if f.is_relation and f.many_to_one and getattr(f.remote_field, "on_delete", None) is models.SET_NULL
    )


def install_sql(table: str, nullable_columns: list[str]) -> str:
    """SQL creating the shared function (idempotent) and (re)creating `table`'s trigger."""
    args = ", ".join("'" + c.replace("'", "''") + "'" for c in nullable_columns)
    return (
        FUNCTION_SQL
        + f'DROP TRIGGER IF EXISTS "{trigger_name(table)}" ON "{table}";\n'
        + f'CREATE TRIGGER "{trigger_name(table)}" BEFORE UPDATE OR DELETE ON "{table}" '
        + f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}({args});\n"
    )


def uninstall_sql(table: str) -> str:
    return f'DROP TRIGGER IF EXISTS "{trigger_name(table)}" ON "{table}";'


class AppendOnly(Operation):
    """Make `model_name`'s table (of the migration's app) append-only; see the module docstring.

    Apply it in a migration after the table exists; apply it again (it replaces the trigger) in
    a later migration that adds an `on_delete=SET_NULL` foreign key, so the new column is
    allowed to become NULL.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.model_name], {})

    def state_forwards(self, app_label, state):
        """Database-only: the model state does not change."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        schema_editor.execute(install_sql(model._meta.db_table, set_null_columns(model)), params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        schema_editor.execute(uninstall_sql(model._meta.db_table), params=None)

    def describe(self) -> str:
        return f"Make {self.model_name} append-only (no UPDATE, no DELETE, except a shop's purge)"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_append_only"
