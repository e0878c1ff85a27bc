"""Switch `rates_rate` to the platform's one append-only rule (`zargar.tenancy.append_only`):
no UPDATE and no DELETE by anyone, except an on_delete=SET_NULL key becoming NULL and the purge
of a shop (the table owner with `app.purge_tenant_id` set to that shop). Replaces this table's
own trigger function `rates_rate_refuse_update()`."""

import importlib

from django.db import migrations

from zargar.tenancy.append_only import AppendOnly


def _previous_sql() -> str:
    """The SQL of the rule this migration replaces (to restore it when migrating backwards)."""
    previous = importlib.import_module("modules.rates.migrations.0001_initial")
    return next(op.sql for op in reversed(previous.Migration.operations) if isinstance(op, migrations.RunSQL))


class Migration(migrations.Migration):
    dependencies = [("rates", "0001_initial")]

    operations = [
        migrations.RunSQL(
            sql='DROP TRIGGER IF EXISTS "rates_rate_append_only" ON "rates_rate"; DROP FUNCTION IF EXISTS "rates_rate_refuse_update"();',
            reverse_sql=_previous_sql(),
        ),
        AppendOnly("rate"),
    ]
