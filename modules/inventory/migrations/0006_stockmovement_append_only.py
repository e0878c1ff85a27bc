"""Switch `inventory_stockmovement` to the platform's one append-only rule (`zargar.tenancy.append_only`):
no UPDATE and no DELETE by anyone, except an on_delete=SET_NULL key becoming NULL and the purge
of a shop (the table owner with `app.purge_tenant_id` set to that shop). Replaces this table's
own trigger function `inventory_stockmovement_append_only()`."""

import importlib

from django.db import migrations

from zargar.tenancy.append_only import AppendOnly


def _previous_sql() -> str:
    """The SQL of the rule this migration replaces (to restore it when migrating backwards)."""
    previous = importlib.import_module("modules.inventory.migrations.0004_tracking_rules_append_only")
    return next(op.sql for op in reversed(previous.Migration.operations) if isinstance(op, migrations.RunSQL))


class Migration(migrations.Migration):
    dependencies = [("inventory", "0005_drop_counter_for_core_sequences")]

    operations = [
        migrations.RunSQL(
            sql='DROP TRIGGER IF EXISTS "inventory_stockmovement_append_only" ON "inventory_stockmovement"; DROP FUNCTION IF EXISTS "inventory_stockmovement_append_only"();',
            reverse_sql=_previous_sql(),
        ),
        AppendOnly("stockmovement"),
    ]
