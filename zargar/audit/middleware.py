"""Request-level auditing.

`AuditMiddleware` (placed *before* `TenancyMiddleware`, so it runs outside the request's
transaction):

- makes the request's origin (actor, impersonating operator, IP, user agent) the default of
  `zargar.audit.actions.record` for this request;
- hands django-auditlog the same actor, the client IP and, while impersonating, the real operator
  in `LogEntry.additional_data` (`{"impersonator_id", "impersonator_email"}`), so a field change
  made while impersonating carries both identities;
- records every `/api/` call as `api.request` (credential, method, route, status, duration in ms)
  after the response, in its own transaction: in the shop's `AuditEvent` table when the call
  resolved a shop, else in `PlatformEvent`. A 5xx that rolled the view back is still recorded.

`AuditTenantCaptureMiddleware` (placed *after* `TenancyMiddleware`) notes which shop the API view
activated (`app.tenant_id` of the request's transaction) before that transaction ends.
"""

from __future__ import annotations

import time

from auditlog.context import set_extra_data

from zargar.tenancy.context import read_settings

from .context import origin_of, origin_scope

API_PREFIX = "/api/"


class AuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        origin = origin_of(request)
        extra = {"actor": origin.actor, "remote_addr": origin.ip}
        if origin.impersonator is not None:
            extra["additional_data"] = {
                "impersonator_id": origin.impersonator.pk,
                "impersonator_email": origin.impersonator.email,
            }
        with origin_scope(origin), set_extra_data(context_data=extra):
            response = self.get_response(request)
        if request.path.startswith(API_PREFIX):
            self._record_api_access(request, response, (time.monotonic() - started) * 1000)
        return response

    @staticmethod
    def _record_api_access(request, response, duration_ms: float) -> None:
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
        details = {
            "method": request.method,
            "path": request.path,
            "route": getattr(match, "route", "") or "",
            "status": response.status_code,
            "duration_ms": round(duration_ms, 1),
            "credential": credential,
        }
        tenant_id = getattr(request, "_audit_tenant_id", None)
        origin = origin_of(request)
        record(
            "api.request",
            tenant=tenant_id,
            changes=details,
            actor=user,
            actor_label=label,
            impersonator=origin.impersonator,  # a session call made while impersonating
            ip=origin.ip,
            user_agent=origin.user_agent,
        )


class AuditTenantCaptureMiddleware:
    """Remember the shop an API call ran as (read from the request's transaction)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX):
            tenant_id = read_settings()[0]
            request._audit_tenant_id = int(tenant_id) if tenant_id else None
        return response
