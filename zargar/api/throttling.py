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
from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.throttling import BaseThrottle

from .models import ApiKey

WINDOW = 60  # seconds


class RateLimited(exceptions.Throttled):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "rate_limited"


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
        cache_key = f"zargar:api:rate:{key.pk}:{window_start}"
        cache.add(cache_key, 0, timeout=WINDOW + 5)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # evicted between add and incr
            cache.set(cache_key, 1, timeout=WINDOW + 5)
            count = 1
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
