"""A DRF throttle that enforces a shop's monthly API-call limit.

Added to `REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]`. For a request whose shop can be resolved
(the API key's shop, or the user's shop as `zargar.api.viewsets.resolve_api_tenant` chooses),
each allowed call appends one `api_calls_per_month` usage event; when the month's total has
reached the limit the call is refused with HTTP 429 and
`{"error": {"code": "limit_exceeded", "message": …}}`. Requests with no shop are not counted.

Cost per call: no query for the check while the shop's limit and month total are cached (see
`zargar.billing.enforcement.check_limit` for the precision), and one INSERT for the event, in
the request's transaction with the shop already active (a 5xx that rolls the call back takes its
event with it).
"""

from __future__ import annotations

from rest_framework import exceptions, status
from rest_framework.throttling import BaseThrottle

from .enforcement import LimitExceeded, check_limit
from .models import Metric
from .usage import record_usage


class ApiLimitExceeded(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "limit_exceeded"
    default_detail = "Monthly API call limit reached."


def _tenant_of(request):
    """The request's shop as `resolve_api_tenant` chooses it (which also activates it in the
    request's transaction, once per request), or None without a credential or a shop."""
    from zargar.api.models import ApiKey

    auth = getattr(request, "auth", None)
    if not isinstance(auth, ApiKey):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
    from zargar.api.viewsets import resolve_api_tenant

    try:
        tenant, _role = resolve_api_tenant(request)
    except exceptions.APIException:
        return None  # the view itself answers with the right error
    return tenant


class MonthlyApiCallThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        tenant = _tenant_of(request)
        if tenant is None:
            return True
        try:
            check_limit(tenant, Metric.API_CALLS_PER_MONTH, adding=1)
        except LimitExceeded as exc:
            raise ApiLimitExceeded(detail=exceptions.ErrorDetail(str(exc), code="limit_exceeded")) from None
        record_usage(tenant, Metric.API_CALLS_PER_MONTH)
        return True
