"""FlagChange is append-only (a trigger refuses UPDATE and DELETE); FlagShop's shop FK cascades
in the database (the shop purge deletes `tenancy_tenant` rows with raw SQL); the
`beta_team_card` flag exists, off, so operators can roll it out."""

from django.db import migrations

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION flags_flagchange_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'flags_flagchange is append-only (% refused)', TG_OP;
END
$$;
CREATE TRIGGER flags_flagchange_append_only BEFORE UPDATE OR DELETE ON flags_flagchange
    FOR EACH ROW EXECUTE FUNCTION flags_flagchange_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS flags_flagchange_append_only ON flags_flagchange;
DROP FUNCTION IF EXISTS flags_flagchange_append_only();
"""

CASCADE = """
DO $$
DECLARE name text;
BEGIN
    SELECT conname INTO name FROM pg_constraint
    WHERE conrelid = 'flags_flagshop'::regclass AND confrelid = 'tenancy_tenant'::regclass AND contype = 'f';
    EXECUTE format('ALTER TABLE flags_flagshop DROP CONSTRAINT %I', name);
    ALTER TABLE flags_flagshop ADD CONSTRAINT flags_flagshop_shop_id_cascade
        FOREIGN KEY (shop_id) REFERENCES tenancy_tenant (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED;
END
$$;
"""
UNCASCADE = """
ALTER TABLE flags_flagshop DROP CONSTRAINT flags_flagshop_shop_id_cascade;
ALTER TABLE flags_flagshop ADD CONSTRAINT flags_flagshop_shop_id_fk
    FOREIGN KEY (shop_id) REFERENCES tenancy_tenant (id) DEFERRABLE INITIALLY DEFERRED;
"""


def beta_flag(apps, schema_editor):
    Flag = apps.get_model("flags", "Flag")
    Flag.objects.get_or_create(
        name="beta_team_card",
        defaults={"everyone": None, "superusers": False, "note": "Shop dashboard: the beta 'Team members' card (zargar/flags/dashboard.py)."},
    )


class Migration(migrations.Migration):
    dependencies = [("flags", "0001_initial")]

    operations = [
        migrations.RunSQL(APPEND_ONLY, DROP_APPEND_ONLY),
        migrations.RunSQL(CASCADE, UNCASCADE),
        migrations.RunPython(beta_flag, migrations.RunPython.noop),
    ]
