"""Base classes for module API views: every one is scoped to a shop.

After DRF authenticates the request, the shop is resolved from the credential — an API key's
shop, or for a session or JWT user the `X-Tenant` header (shop slug), else the panel's active
shop, else their only shop — and set with `SET LOCAL` in the request's transaction. A module
that is off for that shop answers 404; a role without the view's permission answers 403.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, viewsets

from zargar.billing.access import SubscriptionEnded, subscription_ended
from zargar.contract.registry import enabled_module_keys
from zargar.tenancy.context import activate_in_request, set_local
from zargar.tenancy.middleware import SESSION_KEY
from zargar.tenancy.models import Membership, Role, Tenant
from zargar.tenancy.permissions import role_has_perm

from .models import ApiKey
from .pagination import ApiPagination  # noqa: F401  (re-exported: modules import it from here)
from .throttling import rate_limit_headers

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def is_dry_run(request) -> bool:
    """Whether this request is a test-mode write (a test key with an unsafe method)."""
    auth = getattr(request, "auth", None)
    return isinstance(auth, ApiKey) and not auth.livemode and request.method not in SAFE_METHODS


def resolve_api_tenant(request) -> tuple[Tenant, Role]:
    """The shop of this API request and the role the credential acts with.

    An API key acts in its own shop, as admin (secret key) or viewer (publishable key). A
    session or JWT user acts in the shop named by the `X-Tenant` header (the shop's slug), else
    the panel's active shop (session), else their only shop, with their membership role.

    Raises `NotFound` when the user names a shop they do not belong to (no existence leak) and
    `PermissionDenied` when no shop can be chosen.

    Resolved once per request: the first caller (the monthly API-call throttle, which meters the
    call in the shop's table) activates the shop; later calls return the same answer with no
    query.
    """
    resolved = getattr(request, "_zargar_api_tenant", None)
    if resolved is not None:
        return resolved
    resolved = request._zargar_api_tenant = _resolve_api_tenant(request)
    return resolved


def _resolve_api_tenant(request) -> tuple[Tenant, Role]:
    auth = request.auth
    if isinstance(auth, ApiKey):
        activate_in_request(request, auth.tenant, request.user)
        if auth.last_used_at is None or (timezone.now() - auth.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(pk=auth.pk).update(last_used_at=timezone.now())
        return auth.tenant, Role.ADMIN if getattr(auth, "is_secret", False) else Role.VIEWER
    user = request.user
    set_local(None, user)  # the membership read policy shows the user's own memberships
    memberships = Membership.objects.filter(user=user).select_related("tenant")
    slug = request.headers.get("X-Tenant")
    if slug:
        membership = memberships.filter(tenant__slug=slug).first()
        if membership is None:
            raise exceptions.NotFound(_("Unknown shop."))
    else:
        session = getattr(request, "session", None)
        wanted = session.get(SESSION_KEY) if session is not None else None
        candidates = list(memberships)
        membership = next((m for m in candidates if m.tenant_id == wanted), None) or (candidates[0] if len(candidates) == 1 else None)
        if membership is None:
            raise exceptions.PermissionDenied(_("Name the shop with the X-Tenant header (its slug)."))
    activate_in_request(request, membership.tenant, user)
    return membership.tenant, Role(membership.role)


class TenantScopedMixin:
    """Shop resolution, module gating and role permissions for a DRF view.

    Set `read_permission`, `write_permission` and `delete_permission` to module permission
    codenames. `module_key` is filled in from the manifest that registers the route.

    Test mode: a write made with a test key (`sk_test_…`) runs in full — validation, stock and
    books, numbering — inside a savepoint that is rolled back before the response is sent, so
    nothing it did is stored and nothing it queued after commit (webhooks, e-mails) runs. Every
    answer to an API key carries `Zargar-Livemode: true|false`; dry-run writes also carry
    `Zargar-Dry-Run: true`.
    """

    module_key: str | None = None
    read_permission: str | None = None
    write_permission: str | None = None
    delete_permission: str | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            raise exceptions.MethodNotAllowed(request.method)  # before any shop lookup: 405, never 404
        if isinstance(request.auth, ApiKey) and not getattr(request.auth, "is_secret", False) and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(_("Publishable keys are read-only; use a secret key (sk_…) to write."))
        tenant, role = resolve_api_tenant(request)
        if tenant.status != Tenant.Status.ACTIVE:
            raise exceptions.PermissionDenied(_("This shop is suspended."))
        if subscription_ended(tenant):
            raise SubscriptionEnded()
        if self.module_key and self.module_key not in enabled_module_keys(tenant):
            raise exceptions.NotFound()
        self.tenant = tenant
        self.role = role
        needed = self._needed_permission(request)
        if needed and not role_has_perm(role, needed):
            raise exceptions.PermissionDenied(_("Your role does not allow %(permission)s.") % {"permission": needed})
        if is_dry_run(request) and connection.in_atomic_block:
            self._dry_run_savepoint = transaction.savepoint()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        savepoint = getattr(self, "_dry_run_savepoint", None)
        if savepoint is not None:
            self._dry_run_savepoint = None
            if not connection.needs_rollback:  # a broken transaction is rolled back whole by the middleware
                transaction.savepoint_rollback(savepoint)
            response["Zargar-Dry-Run"] = "true"
        if isinstance(request.auth, ApiKey):
            response["Zargar-Livemode"] = "true" if request.auth.livemode else "false"
        rate_limit_headers(request, response)
        return response

    def _needed_permission(self, request) -> str | None:
        if request.method in SAFE_METHODS:
            return self.read_permission
        if request.method == "DELETE":
            return self.delete_permission or self.write_permission
        return self.write_permission


class TenantModelViewSet(TenantScopedMixin, viewsets.ModelViewSet):
    """A ModelViewSet over a `TenantModel`: lists and finds objects only within the shop
    (explicit filter, and RLS underneath), and saves new ones into it."""

    pagination_class = ApiPagination

    def get_queryset(self):
        return super().get_queryset().filter(tenant=self.tenant)

    def perform_create(self, serializer):
        serializer.save(tenant=self.tenant)
