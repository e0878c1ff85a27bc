"""Rows a caller already holds, handed to Django as if `prefetch_related` had loaded them."""

from __future__ import annotations


def set_prefetched(instance, name: str, rows) -> None:
    """Make `getattr(instance, name).all()` answer `rows` (a list of model instances) without a
    query, exactly as after `prefetch_related(name)`: Django keeps a prefetched relation as a
    finished queryset in `instance._prefetched_objects_cache[name]`. For a reverse foreign key
    or many-to-many relation `name` of `instance`; the rows are not checked against it."""
    queryset = getattr(instance, name).all()
    queryset._result_cache, queryset._prefetch_done = list(rows), True
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = queryset
