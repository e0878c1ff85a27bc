"""Small helpers for the hot paths that step around parts of Django's ORM (measured in bench/).

A few reads run on every API sale; building them with the ORM cost 0.25–1 ms of CPU each, ten
times the SQL. Those are written as raw queries (`Model.objects.raw` or a cursor) that name every
column (`select_columns`: no `SELECT *`, whose row type a prepared statement would pin across a
migration), and rows a caller already holds are handed to Django as if `prefetch_related` had
loaded them (`set_prefetched`).
"""

from __future__ import annotations


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
