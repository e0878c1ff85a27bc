"""Drop the tables of waffle's default `Flag` model, which `WAFFLE_FLAG_MODEL` replaces.

waffle's own migrations were written before its Flag model became swappable, so they create
`waffle_flag`, `waffle_flag_users` and `waffle_flag_groups` even when another model is used
(django-waffle issue #338). Nothing reads them, but `waffle_flag_users` keeps a foreign key to
`accounts_user`, and Django's flush (transactional tests) does not know the swapped tables and
cannot TRUNCATE `accounts_user` past it. Switches and samples keep their waffle tables.
"""

from django.db import migrations

DROP = """
DROP TABLE IF EXISTS waffle_flag_users;
DROP TABLE IF EXISTS waffle_flag_groups;
DROP TABLE IF EXISTS waffle_flag;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("flags", "0002_append_only_cascade_beta_flag"),
        ("waffle", "0004_update_everyone_nullbooleanfield"),
    ]

    operations = [migrations.RunSQL(DROP, migrations.RunSQL.noop)]
