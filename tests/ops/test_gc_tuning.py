"""The server's garbage-collector settings (`zargar.core.gc_tuning`), applied by `zargar.wsgi`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from zargar.core.gc_tuning import DEFAULT_THRESHOLD, threshold_from_env

PROBE = "import gc, zargar.wsgi; print(gc.get_freeze_count(), *gc.get_threshold())"


def test_threshold_from_env():
    assert threshold_from_env(None) == DEFAULT_THRESHOLD == threshold_from_env("  ")
    assert threshold_from_env("default") is None
    assert threshold_from_env("5000,10") == (5000, 10)
    for bad in ("x", "1,2,3,4", "-1", "700;10"):
        with pytest.raises(ValueError):
            threshold_from_env(bad)


def _import_wsgi(**extra) -> list[int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZARGAR_GC_")} | extra
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=Path(settings.BASE_DIR), env=env, capture_output=True, text=True, timeout=120, check=True,
    )
    return [int(n) for n in result.stdout.split()]


@pytest.mark.subprocess
def test_wsgi_freezes_what_is_loaded_and_sets_the_thresholds():
    frozen, *threshold = _import_wsgi()
    assert frozen > 100_000  # Django, Wagtail, DRF, the modules and their URL patterns
    assert tuple(threshold) == DEFAULT_THRESHOLD
    frozen, *threshold = _import_wsgi(ZARGAR_GC_FREEZE="0")
    assert frozen == 0
    assert threshold == [700, 10, 10]  # CPython's own
