"""Garbage-collector settings for a long-running server process (gunicorn worker, ASGI server).

A Django process with Wagtail, DRF and the modules loaded holds about 350,000 objects that live as
long as the process: models, URL patterns, templates, translations. CPython's cyclic collector
walks all of them at every full (generation 2) collection, about 75 ms each time, and its default
thresholds (700, 10, 10) run collections every few hundred allocations — an API sale allocates
tens of thousands of objects. `tune_for_server` (called by `zargar.wsgi` and `zargar.asgi` once
the application is built):

1. loads the URL configuration (the modules' URL and API routes), so that it is part of step 2
   rather than of the first request;
2. collects once, then `gc.freeze()`s everything alive: those objects move to a permanent
   generation the collector never walks again (the technique CPython added for Instagram's
   pre-fork servers; it also keeps their memory pages shared after a fork);
3. sets the thresholds to `ZARGAR_GC_THRESHOLD` (default "20000,20,20"; "default" leaves
   CPython's own), so that collections of the young generation run about 30 times less often.
   Garbage that is not in a reference cycle is freed at once by reference counting either way;
   only cyclic garbage waits a little longer.

Measured with `bench/pos/profile_sale.py` (one API sale through the whole stack, in one
process): 14.4 ms of CPU per sale before, 13.2 ms with step 2 alone, 12.7 ms with 2 and 3.
Set `ZARGAR_GC_FREEZE=0` to skip all of it (e.g. to compare).
"""

from __future__ import annotations

import gc
import os

DEFAULT_THRESHOLD = (20000, 20, 20)


def threshold_from_env(value: str | None) -> tuple[int, ...] | None:
    """`ZARGAR_GC_THRESHOLD` as a tuple of 1 to 3 non-negative ints; None for "default" (leave
    CPython's). Empty means `DEFAULT_THRESHOLD`. Raises `ValueError` for anything else."""
    value = (value or "").strip()
    if not value:
        return DEFAULT_THRESHOLD
    if value == "default":
        return None
    message = f"ZARGAR_GC_THRESHOLD must be 1 to 3 non-negative integers separated by commas, or 'default'; got {value!r}"
    try:
        parts = tuple(int(p) for p in value.split(","))
    except ValueError:
        raise ValueError(message) from None
    if not 1 <= len(parts) <= 3 or any(p < 0 for p in parts):
        raise ValueError(message)
    return parts


def tune_for_server() -> None:
    """Load the URL configuration, freeze what is alive and set the collector's thresholds (see
    the module docstring). Does nothing when `ZARGAR_GC_FREEZE` is "0". Raises `ValueError` for
    a malformed `ZARGAR_GC_THRESHOLD` (at start-up, not at the first request)."""
    if os.environ.get("ZARGAR_GC_FREEZE", "1") == "0":
        return
    threshold = threshold_from_env(os.environ.get("ZARGAR_GC_THRESHOLD"))
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports every URL module now)
    gc.collect()
    gc.freeze()
    if threshold is not None:
        gc.set_threshold(*threshold)
