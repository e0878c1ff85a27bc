"""Switch `customers_storecreditentry` to the platform's one append-only rule (`zargar.tenancy.append_only`):
no UPDATE and no DELETE by anyone, except an on_delete=SET_NULL key becoming NULL and the purge
of a shop (the table owner with `app.purge_tenant_id` set to that shop). Replaces this table's
own trigger function `customers_storecreditentry_append_only()`."""

import importlib

from django.db import migrations

from zargar.tenancy.append_only import AppendOnly


def _previous_sql() -> str:
    """The SQL of the rule this migration replaces (to restore it when migrating backwards)."""
    previous = importlib.import_module("modules.customers.migrations.0001_initial")
    return next(op.sql for op in reversed(previous.Migration.operations) if isinstance(op, migrations.RunSQL))


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql='DROP TRIGGER IF EXISTS "customers_storecreditentry_append_only" ON "customers_storecreditentry"; DROP FUNCTION IF EXISTS "customers_storecreditentry_append_only"();',
            reverse_sql=_previous_sql(),
        ),
        AppendOnly("storecreditentry"),
    ]
