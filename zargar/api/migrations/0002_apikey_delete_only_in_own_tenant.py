"""The key table's read policy also shows one row to `app.api_key_lookup` (authentication,
before any shop is known). A permissive policy's USING clause also decides which rows a DELETE
may remove, so while the lookup setting was set, the looked-up key could have been deleted
without its shop being active. This restrictive policy limits DELETE to the current shop's rows.
(UPDATE is already limited: its WITH CHECK requires the current shop.)
"""

from django.db import migrations

from zargar.tenancy.rls import tenant_match_sql

TABLE = "zargar_api_apikey"
POLICY = "zargar_api_apikey_delete_own_tenant"

class Migration(migrations.Migration):
    dependencies = [("zargar_api", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql=f'CREATE POLICY "{POLICY}" ON "{TABLE}" AS RESTRICTIVE FOR DELETE USING ({tenant_match_sql()})',
            reverse_sql=f'DROP POLICY IF EXISTS "{POLICY}" ON "{TABLE}"',
        )
    ]
