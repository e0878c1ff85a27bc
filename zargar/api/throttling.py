"""Per-key rate limit of the API (in addition to the plan's monthly call limit in
`zargar.billing.throttling`).

A fixed one-minute window per API key, counted in Django's cache (Redis in production, so all
workers share it): at most `ApiKey.rate_limit_per_minute` requests, or
`settings.ZARGAR_API_KEY_RATE_LIMIT` (env `ZARGAR_API_KEY_RATE_LIMIT`, default 600) when the key
has none. Beyond it the request answers 429 `{"error": {"code": "rate_limited", …}}` with
`Retry-After` (seconds until the window ends). Every answer to a key carries
`X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds).
Sessions and JWTs are not limited here.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache, caches
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.throttling import BaseThrottle

from .models import ApiKey

WINDOW = 60  # seconds


class RateLimited(exceptions.Throttled):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "rate_limited"


def _redis_client(cache_key: str):
    """The raw Redis client behind Django's cache for `cache_key`, or None for another backend."""
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(backend.make_and_validate_key(cache_key), write=True)


def count_hit(cache_key: str) -> int:
    """Add one request to the window counter `cache_key`; returns the window's count so far.

    On Redis: INCR and EXPIRE in one pipelined round trip (Django's `cache.incr` would take
    two, after an `add`). On other backends: `incr`, or `add` when the window is new.
    """
    client = _redis_client(cache_key)
    if client is not None:
        key = caches["default"].make_and_validate_key(cache_key)
        pipe = client.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, WINDOW + 5)
        count, _expire = pipe.execute()
        return int(count)
    try:
        return cache.incr(cache_key)
    except ValueError:  # a new window (or evicted)
        if cache.add(cache_key, 1, timeout=WINDOW + 5):
            return 1
        return cache.incr(cache_key)  # another request opened the window meanwhile


def limit_of(key: ApiKey) -> int:
    return key.rate_limit_per_minute or settings.ZARGAR_API_KEY_RATE_LIMIT


class ApiKeyRateThrottle(BaseThrottle):
    """Counts the request against its key's window; raises `RateLimited` (429) when full."""

    def allow_request(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return True
        limit = limit_of(key)
        now = time.time()
        window_start = int(now // WINDOW) * WINDOW
        count = count_hit(f"zargar:api:rate:{key.pk}:{window_start}")
        reset = max(1, int(window_start + WINDOW - now + 0.999))
        request._rate_limit = (limit, max(0, limit - count), reset)
        if count > limit:
            raise RateLimited(
                wait=reset,
                detail=_("Rate limit of %(limit)d requests per minute reached for this API key; retry in %(seconds)d s.") % {"limit": limit, "seconds": reset},
            )
        return True


def rate_limit_headers(request, response) -> None:
    """Add the `X-RateLimit-*` headers of the request's key window to `response`."""
    info = getattr(request, "_rate_limit", None)
    if info:
        limit, remaining, reset = info
        response["X-RateLimit-Limit"] = str(limit)
        response["X-RateLimit-Remaining"] = str(remaining)
        response["X-RateLimit-Reset"] = str(reset)
