"""Every request runs in one transaction with its tenant set by `SET LOCAL`.

The panel's tenant comes from the session (the tenant switcher), checked against the user's
memberships; the API's comes from the credential and is set by `zargar.api.viewsets` after
authentication, inside this same transaction. Module URLs of a module that is off for the
tenant answer 404.

An anonymous request (e.g. an API call before its key is checked) sets nothing: a new
transaction has no `app.tenant_id` / `app.user_id` yet.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.http import Http404
from django.shortcuts import render

from zargar.contract.registry import enabled_module_keys, manifests

from . import selectors
from .context import _current_tenant, read_settings, set_local

SESSION_KEY = "zargar_tenant_id"

#: URL prefixes that work without an active, unsuspended shop.
_EXEMPT_PREFIXES = (
    "/accounts/", "/operator/", "/cms/", "/static/", "/media/", "/i18n/", "/invitations/", "/api/",
    "/app/theme/", "/app/language/", "/app/switch/", "/app/shops/new/",
)


class TenancyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        request.membership = None
        request.memberships = []
        nested = connection.in_atomic_block  # only in tests that wrap everything in a transaction
        with transaction.atomic():
            previous = read_settings() if nested else None
            user = request.user if request.user.is_authenticated else None
            request._tenancy_user_id = user.pk if user else None
            if nested or user is not None:
                set_local(None, user)
            # else: a new transaction starts with both settings unset (Zargar only ever sets them
            # with SET LOCAL), which the policies read as "no shop, no user": no round trip.
            if user is not None and not request.path.startswith("/api/"):
                self._resolve_panel_tenant(request, user)
            token = _current_tenant.set(request.tenant)
            try:
                response = self._suspended_response(request) or self.get_response(request)
            finally:
                _current_tenant.reset(token)
            if response.status_code >= 500:
                # The view failed (its exception was already turned into a response): keep none of its writes.
                transaction.set_rollback(True)
            elif previous is not None:
                set_local(previous[0] or None, previous[1] or None)
        return response

    def _resolve_panel_tenant(self, request, user) -> None:
        memberships = selectors.memberships_of(user)
        request.memberships = memberships
        wanted = request.session.get(SESSION_KEY)
        chosen = next((m for m in memberships if m.tenant_id == wanted), None) or (memberships[0] if memberships else None)
        if chosen is None:
            return
        if chosen.tenant_id != wanted:
            request.session[SESSION_KEY] = chosen.tenant_id
        request.membership = chosen
        request.tenant = chosen.tenant
        set_local(chosen.tenant, user)

    def _suspended_response(self, request):
        tenant = request.tenant
        if tenant is None or request.path.startswith(_EXEMPT_PREFIXES):
            return None
        if tenant.is_active:
            from zargar.billing.access import ended_response

            return ended_response(request)  # a subscription that ended closes the panel too (cached)
        return render(request, "panel/suspended.html", {"tenant": tenant}, status=403)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """404 for the panel URLs of a module that is off for this tenant."""
        match = request.resolver_match
        keys = set(manifests())
        module_keys = [ns for ns in (match.namespaces if match else []) if ns in keys]
        if not module_keys or request.path.startswith("/api/"):
            return None  # API routes are gated in zargar.api.viewsets, after authentication
        if request.tenant is None or not set(module_keys) <= enabled_modules(request):
            raise Http404("This module is not enabled for this shop.")
        return None


def enabled_modules(request) -> frozenset[str]:
    """The module keys enabled for the request's tenant, computed once per request."""
    cached = getattr(request, "_enabled_modules", None)
    if cached is None:
        cached = request._enabled_modules = enabled_module_keys(request.tenant)
    return cached
