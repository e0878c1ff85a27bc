"""DRF permission of API-key scopes, in `REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"]` so it
runs on every API view."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import permissions

from .models import ApiKey
from .scopes import required_scope


class ApiKeyScopePermission(permissions.BasePermission):
    """An API key must hold the scope of the view's module for the request's method
    (`"<module>:read"` for GET/HEAD/OPTIONS, `"<module>:write"` otherwise). Sessions and JWTs
    are not limited by scopes (their role decides). Refusal: 403
    `{"error": {"code": "missing_scope", "message": "… inventory:write …"}}`."""

    code = "missing_scope"

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return True
        scope = required_scope(getattr(view, "module_key", None), request.method)
        if scope is None or key.has_scope(scope):
            return True
        self.message = _("This API key lacks the scope %(scope)s.") % {"scope": scope}
        return False
