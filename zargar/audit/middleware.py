"""Request-level auditing.

`AuditMiddleware` (placed *before* `TenancyMiddleware`, so it runs outside the request's
transaction):

- makes the request's origin (actor, impersonating operator, IP, user agent) the default of
  `zargar.audit.actions.record` for this request;
- hands django-auditlog the same actor, the client IP and, while impersonating, the real operator
  in `LogEntry.additional_data` (`{"impersonator_id", "impersonator_email"}`), so a field change
  made while impersonating carries both identities;
- records every `/api/` call as `api.request` (credential, method, route, status, duration in ms)
  in the shop's `AuditEvent` table when the call resolved a shop, else in `PlatformEvent` —
  every call, whatever its status.

Where the event is written: `AuditTenantCaptureMiddleware` (placed *after* `TenancyMiddleware`,
i.e. inside the request's transaction, with the shop the API view activated still active) writes
it into the request's own transaction when the view did not fail (status below 500 and the
transaction healthy): one INSERT, no second transaction, no lookup of the shop. After a 5xx —
whose writes `TenancyMiddleware` rolls back — `AuditMiddleware` writes it afterwards in its own
transaction, so a failed call is still on record. `duration_ms` is the time from the start of
`AuditMiddleware` to the moment the event is written (the commit is not included).
"""

from __future__ import annotations

import time

from auditlog.context import set_extra_data
from django.db import connection

from zargar.tenancy.context import current_tenant

from .context import origin_of, origin_scope

API_PREFIX = "/api/"


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        origin = origin_of(request)
        request._audit_started, request._audit_origin = started, origin
        extra = {"actor": origin.actor, "remote_addr": origin.ip}
        if origin.impersonator is not None:
            extra["additional_data"] = {
                "impersonator_id": origin.impersonator.pk,
                "impersonator_email": origin.impersonator.email,
            }
        with origin_scope(origin), set_extra_data(context_data=extra):
            response = self.get_response(request)
        if request.path.startswith(API_PREFIX) and not getattr(request, "_api_access_recorded", False):
            # A 5xx (rolled back) or a request the capture middleware did not see: its own transaction.
            record_api_access(request, response, tenant=getattr(request, "_audit_tenant", None))
        return response


def record_api_access(request, response, *, tenant=None) -> None:
    """Write the `api.request` event of `request` (in `tenant`'s `AuditEvent` table, a `Tenant`
    instance, or `PlatformEvent` when None) in the current transaction, or in its own when there
    is none."""
    from .actions import record

    user = getattr(request, "user", None)  # DRF copies the authenticated user onto the Django request
    user = user if user is not None and user.is_authenticated else None
    key = getattr(request, "auth", None)
    if key is not None and hasattr(key, "secret_prefix"):
        credential = "secret_key" if getattr(key, "is_secret", False) else "publishable_key"
        label = f"{key.name} ({key.secret_prefix if getattr(key, 'is_secret', False) else key.publishable_key})"
    else:
        credential = "user" if user is not None else "anonymous"
        label = getattr(user, "email", "") if user is not None else ""
    match = getattr(request, "resolver_match", None)
    started = getattr(request, "_audit_started", None)
    details = {
        "method": request.method,
        "path": request.path,
        "route": getattr(match, "route", "") or "",
        "status": response.status_code,
        "duration_ms": round((time.monotonic() - started) * 1000, 1) if started is not None else 0.0,
        "credential": credential,
    }
    origin = getattr(request, "_audit_origin", None) or origin_of(request)
    record(
        "api.request",
        tenant=tenant,
        changes=details,
        actor=user,
        actor_label=label,
        impersonator=origin.impersonator,  # a session call made while impersonating
        ip=origin.ip,
        user_agent=origin.user_agent,
    )


def _transaction_healthy() -> bool:
    """Inside a transaction that can still commit (no pending rollback, not aborted)."""
    if not connection.in_atomic_block or connection.needs_rollback or connection.connection is None:
        return False
    from psycopg.pq import TransactionStatus

    # IDLE: the transaction has not sent a statement yet (psycopg opens it with the first one).
    return connection.connection.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.IDLE)


class AuditTenantCaptureMiddleware:
    """Note the shop an API call ran as (the tenant the view activated in the request's
    transaction) and, when the call did not fail, write its `api.request` event in that same
    transaction (see the module doc)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX):
            tenant = current_tenant()  # still the request's: TenancyMiddleware resets it after us
            request._audit_tenant = tenant
            request._audit_tenant_id = tenant.pk if tenant is not None else None
            if response.status_code < 500 and _transaction_healthy():
                # An error here propagates: Django answers 500, TenancyMiddleware rolls the call
                # back and AuditMiddleware records it in its own transaction.
                record_api_access(request, response, tenant=tenant)
                request._api_access_recorded = True
        return response
