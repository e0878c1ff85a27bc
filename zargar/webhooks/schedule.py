"""The retry schedule of webhook deliveries, as pure functions (no clock, no database).

Attempt 1 goes out right after the event's transaction commits. When attempt *n* fails, attempt
*n + 1* is due `retry_delay(n)` later: 1 min, 2 min, 4 min, 8 min … doubling, capped at 6 hours.
After `max_attempts` failed attempts the delivery is given up.
"""

from __future__ import annotations

import datetime as dt

BASE_DELAY = dt.timedelta(minutes=1)
MAX_DELAY = dt.timedelta(hours=6)


def retry_delay(failed_attempts: int, *, base: dt.timedelta = BASE_DELAY, cap: dt.timedelta = MAX_DELAY) -> dt.timedelta:
    """The wait after the `failed_attempts`-th failed attempt (1-based): `base * 2**(n-1)`,
    at most `cap`. Raises `ValueError` for n < 1."""
    if failed_attempts < 1:
        raise ValueError("failed_attempts starts at 1")
    if failed_attempts > 40:  # 2**40 minutes is far past any cap; avoid huge numbers
        return cap
    return min(base * 2 ** (failed_attempts - 1), cap)


def next_attempt_at(failed_attempts: int, failed_at: dt.datetime, *, max_attempts: int) -> dt.datetime | None:
    """When the next attempt is due after attempt `failed_attempts` failed at `failed_at`;
    None when `max_attempts` are used up."""
    if failed_attempts >= max_attempts:
        return None
    return failed_at + retry_delay(failed_attempts)


def schedule(max_attempts: int) -> list[dt.timedelta]:
    """Offsets of every attempt from the first one, e.g. for docs: [0, 1m, 3m, 7m, …]."""
    offsets, total = [dt.timedelta(0)], dt.timedelta(0)
    for n in range(1, max_attempts):
        total += retry_delay(n)
        offsets.append(total)
    return offsets
