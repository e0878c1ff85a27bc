"""Small helpers for the hot paths that step around parts of Django's ORM (measured in bench/).

A few reads run on every API sale; building them with the ORM cost 0.25–1 ms of CPU each, ten
times the SQL. Those are written as raw queries (`Model.objects.raw` or a cursor) that name every
column (`select_columns`: no `SELECT *`, whose row type a prepared statement would pin across a
migration), and rows a caller already holds are handed to Django as if `prefetch_related` had
loaded them (`set_prefetched`). The append-only event rows every API call writes go in with one
plain INSERT (`insert_row`).
"""

from __future__ import annotations

from functools import cache


def select_columns(model, *, exclude: tuple[str, ...] = ()) -> str:
    """The model's concrete columns, comma-separated, for a raw `SELECT` that `Model.objects.raw`
    turns into instances; fields named in `exclude` are left out (deferred on the instances)."""
    return ", ".join(f.column for f in model._meta.concrete_fields if f.name not in exclude)


def set_prefetched(instance, name: str, rows) -> None:
    """Make `getattr(instance, name).all()` answer `rows` (a list of model instances) without a
    query, exactly as after `prefetch_related(name)`: Django keeps a prefetched relation as a
    finished queryset in `instance._prefetched_objects_cache[name]`. For a reverse foreign key
    or many-to-many relation `name` of `instance`; the rows are not checked against it."""
    queryset = getattr(instance, name).all()
    queryset._result_cache, queryset._prefetch_done = list(rows), True
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = queryset


def insert_row(instance) -> None:
    """INSERT the new model `instance` with one plain statement and set its primary key — for
    the append-only event rows written on every API request (the usage event, the `api.request`
    audit event), where `Model.save()` spent about 0.3 ms of CPU building the INSERT.

    The values are the ORM's own: each field's `pre_save(instance, add=True)` (so `auto_now_add`
    applies), adapted by its `get_db_prep_save`, on the default connection. Unlike `save()` it
    sends no `pre_save` / `post_save` signal — django-auditlog never sees the row, so use it only
    for models outside the audit log (`zargar.audit.apps.NOT_TRACKED`). Raises the database's
    error (e.g. `IntegrityError`) as `save()` would; `TypeError` for a model with multi-table
    inheritance (its parent's row would be missing)."""
    from django.db import connection

    meta = instance._meta
    if meta.parents:
        raise TypeError(f"insert_row does not write multi-table inheritance ({meta.label}); use save()")
    fields = [f for f in meta.local_concrete_fields if not getattr(f, "generated", False) and not (f.primary_key and getattr(instance, f.attname) is None)]
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(type(instance), tuple(f.column for f in fields)), values)
        setattr(instance, meta.pk.attname, cursor.fetchone()[0])
    instance._state.adding, instance._state.db = False, connection.alias


@cache
def _insert_sql(model, columns: tuple[str, ...]) -> str:
    from django.db import connection

    quote = connection.ops.quote_name
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))}) RETURNING {quote(model._meta.pk.column)}"
    )
