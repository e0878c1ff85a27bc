"""The tracking rules of items (a serialized piece has a tag and 0 or 1 on hand; a lot item has
no tag), added once the data migration has set every item's mode; and the database guard that
makes stock movements append-only."""

from django.db import migrations, models

APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION inventory_stockmovement_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        -- Only the table's owner (maintenance, e.g. purging a deleted shop) may delete history.
        IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'inventory_stockmovement rows are history and cannot be deleted (record a new movement)';
    END IF;
    -- The only change allowed: the actor set to NULL when that user is deleted.
    IF (to_jsonb(NEW) - 'actor_id') IS DISTINCT FROM (to_jsonb(OLD) - 'actor_id')
       OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id) THEN
        RAISE EXCEPTION 'inventory_stockmovement rows are history and cannot be changed (record a new movement)';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER inventory_stockmovement_append_only BEFORE UPDATE OR DELETE ON inventory_stockmovement
FOR EACH ROW EXECUTE FUNCTION inventory_stockmovement_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("inventory", "0003_opening_stock")]

    operations = [
        migrations.AddConstraint(
            model_name="item",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("tag__isnull", True), ("tracking", "lot")),
                    models.Q(("quantity__lte", 1), ("tag__isnull", False), ("tracking", "serialized")),
                    _connector="OR",
                ),
                name="inventory_item_tracking_rules",
            ),
        ),
        migrations.RunSQL(
            sql=APPEND_ONLY_SQL,
            reverse_sql="DROP TRIGGER IF EXISTS inventory_stockmovement_append_only ON inventory_stockmovement; DROP FUNCTION IF EXISTS inventory_stockmovement_append_only();",
        ),
    ]
