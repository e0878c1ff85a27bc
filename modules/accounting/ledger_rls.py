"""Row-Level Security for django-ledger's tables (applied by migration 0002).

django-ledger's tables hold shop data but its models know nothing of tenants. Migration 0002 adds
to each of them:

- `tenant_id bigint NOT NULL DEFAULT NULLIF(current_setting('app.tenant_id', true), '')::bigint`
  (existing rows are filled from their entity's shop, through `accounting_shopbooks` and the
  tables' own foreign keys; the migration stops with a clear error if a row belongs to no shop),
- a foreign key to `tenancy_tenant` ON DELETE CASCADE and an index,
- `ENABLE` + `FORCE ROW LEVEL SECURITY` and the policy of `zargar.tenancy.rls` (same SQL:
  `tenant_match_sql()`, `policy_name()`), USING and WITH CHECK.

Inserts get the tenant from the default, i.e. from `SET LOCAL app.tenant_id`: every write to
django-ledger must run inside `tenant_context`. With no tenant set an insert fails the policy.

Trees: django-ledger's entities, accounts and entity units are django-treebeard materialized-path
trees with a table-wide UNIQUE `path`. Under RLS each shop only sees its own nodes, so treebeard
numbers every shop's first root `0001` — the unique `path` becomes UNIQUE (tenant_id, path):
one independent forest per shop.
"""

from __future__ import annotations

from zargar.tenancy.rls import policy_name, tenant_match_sql

TENANT_DEFAULT_SQL = "NULLIF(current_setting('app.tenant_id', true), '')::bigint"


def installed_ledger_tables() -> list[str]:
    """Tables of every concrete model of the installed django-ledger (auto-created ones too)."""
    from django.apps import apps

    models = apps.get_app_config("django_ledger").get_models(include_auto_created=True)
    return sorted({m._meta.db_table for m in models if m._meta.managed and not m._meta.proxy})


def installed_tree_tables() -> list[str]:
    """Tables of django-ledger's treebeard materialized-path models (global UNIQUE `path`)."""
    from django.apps import apps
    from treebeard.mp_tree import MP_Node

    models = apps.get_app_config("django_ledger").get_models()
    return sorted({m._meta.db_table for m in models if issubclass(m, MP_Node)})


def _fill_sql(tables: list[str]) -> str:
    array = ", ".join(f"'{t}'" for t in tables)
    return f"""
DO $zargar$
DECLARE
    ledger_tables text[] := ARRAY[{array}];
    progress boolean := true;
    fk record;
    t text;
    n bigint;
BEGIN
    UPDATE django_ledger_entitymodel e SET tenant_id = b.tenant_id
      FROM accounting_shopbooks b WHERE b.entity_id = e.uuid AND e.tenant_id IS NULL;
    WHILE progress LOOP
        progress := false;
        FOR fk IN
            SELECT c.relname AS child, a.attname AS col, p.relname AS parent, pa.attname AS pcol
              FROM pg_constraint con
              JOIN pg_class c ON c.oid = con.conrelid
              JOIN pg_class p ON p.oid = con.confrelid
              JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = con.conkey[1]
              JOIN pg_attribute pa ON pa.attrelid = p.oid AND pa.attnum = con.confkey[1]
             WHERE con.contype = 'f' AND array_length(con.conkey, 1) = 1
               AND c.relname = ANY(ledger_tables) AND p.relname = ANY(ledger_tables)
        LOOP
            EXECUTE format(
                'UPDATE %I c SET tenant_id = p.tenant_id FROM %I p '
                'WHERE c.%I = p.%I AND c.tenant_id IS NULL AND p.tenant_id IS NOT NULL',
                fk.child, fk.parent, fk.col, fk.pcol);
            GET DIAGNOSTICS n = ROW_COUNT;
            IF n > 0 THEN progress := true; END IF;
        END LOOP;
    END LOOP;
    FOREACH t IN ARRAY ledger_tables LOOP
        EXECUTE format('SELECT count(*) FROM %I WHERE tenant_id IS NULL', t) INTO n;
        IF n > 0 THEN
            RAISE EXCEPTION 'django-ledger table % has % row(s) that belong to no Zargar shop; '
                'link their entity in accounting_shopbooks or delete them, then migrate again', t, n;
        END IF;
    END LOOP;
END
$zargar$"""


def _path_unique_sql(table: str) -> str:
    # Drop the table-wide UNIQUE (path) constraint, whatever its name.
    return f"""
DO $zargar$
DECLARE cname text;
BEGIN
    SELECT con.conname INTO cname
      FROM pg_constraint con
      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attname = 'path'
     WHERE con.conrelid = '"{table}"'::regclass AND con.contype = 'u' AND con.conkey = ARRAY[a.attnum];
    IF cname IS NOT NULL THEN
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', '{table}', cname);
    END IF;
END
$zargar$"""


def forward_sql(tables: list[str], tree_tables: list[str]) -> list[str]:
    """The statements that put `tables` under tenant RLS (see the module docstring)."""
    match = tenant_match_sql()
    statements = [f'ALTER TABLE "{t}" ADD COLUMN "tenant_id" bigint DEFAULT {TENANT_DEFAULT_SQL}' for t in tables]
    statements.append(_fill_sql(tables))
    for t in tables:
        name = policy_name(t)
        statements += [
            f'ALTER TABLE "{t}" ALTER COLUMN "tenant_id" SET NOT NULL',
            f'ALTER TABLE "{t}" ADD CONSTRAINT "{t}_tenant_fk" FOREIGN KEY ("tenant_id") '
            f'REFERENCES "tenancy_tenant" ("id") ON DELETE CASCADE',
            f'CREATE INDEX "{t}_tenant_idx" ON "{t}" ("tenant_id")',
            f'ALTER TABLE "{t}" ENABLE ROW LEVEL SECURITY',
            f'ALTER TABLE "{t}" FORCE ROW LEVEL SECURITY',
            f'DROP POLICY IF EXISTS "{name}" ON "{t}"',
            f'CREATE POLICY "{name}" ON "{t}" USING ({match}) WITH CHECK ({match})',
        ]
    for t in tree_tables:
        statements += [
            _path_unique_sql(t),
            f'ALTER TABLE "{t}" ADD CONSTRAINT "{t}_tenant_path_uniq" UNIQUE ("tenant_id", "path")',
        ]
    return statements


def reverse_sql(tables: list[str], tree_tables: list[str]) -> list[str]:
    """Undo `forward_sql`: table-wide UNIQUE (path) again, no policy, no `tenant_id` column."""
    statements = []
    for t in tree_tables:
        statements += [
            f'ALTER TABLE "{t}" DROP CONSTRAINT IF EXISTS "{t}_tenant_path_uniq"',
            f'ALTER TABLE "{t}" ADD CONSTRAINT "{t}_path_key" UNIQUE ("path")',
        ]
    for t in tables:
        statements += [
            f'DROP POLICY IF EXISTS "{policy_name(t)}" ON "{t}"',
            f'ALTER TABLE "{t}" NO FORCE ROW LEVEL SECURITY',
            f'ALTER TABLE "{t}" DISABLE ROW LEVEL SECURITY',
            f'ALTER TABLE "{t}" DROP COLUMN "tenant_id"',
        ]
    return statements
