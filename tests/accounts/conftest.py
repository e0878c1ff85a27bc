"""Accounts tests: allauth's rate limits live in the (locmem) cache; start each test clean."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_rate_limits():
    cache.clear()
    yield
    cache.clear()
