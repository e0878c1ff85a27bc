"""Journal-entry numbering in one statement, and source links made append-only.

1. A partial unique index on django-ledger's `EntityStateModel` rows without an entity unit:
   (entity, fiscal year, key) WHERE entity_unit_id IS NULL. django-ledger's own unique constraint
   is (entity, entity unit, fiscal year, key); PostgreSQL treats NULLs as distinct there, so it
   never refuses a second row of an entity without units — two first postings of a fiscal year
   at once could each create a row and hand out the same numbers. The index makes that row
   unique and is the conflict target of `actions.next_je_number`'s `INSERT … ON CONFLICT DO
   UPDATE … RETURNING` (the entry number in one statement instead of three). It also makes
   django-ledger's own creation race fail instead of duplicating the row.

2. `accounting_sourcedocumentlink` gets the platform's append-only rule
   (`zargar.tenancy.append_only`): a link is written once, with its posted and locked entry,
   and never changed. It is therefore not tracked by django-auditlog
   (`zargar.audit.apps.NOT_TRACKED`), like the other append-only ledgers.
"""

from django.db import migrations

from zargar.tenancy.append_only import AppendOnly

INDEX = "accounting_je_state_no_unit_uniq"


class Migration(migrations.Migration):
    dependencies = [
        ("accounting", "0002_ledger_tenant_rls"),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                f'CREATE UNIQUE INDEX IF NOT EXISTS "{INDEX}" ON "django_ledger_entitystatemodel" '
                '("entity_model_id", "fiscal_year", "key") WHERE "entity_unit_id" IS NULL'
            ),
            reverse_sql=f'DROP INDEX IF EXISTS "{INDEX}"',
        ),
        AppendOnly("sourcedocumentlink"),
    ]
