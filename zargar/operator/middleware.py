"""Only platform operators reach the operator panel (/operator/) and the Wagtail admin (/cms/).

A signed-out visitor is sent to the login page; a signed-in shop user gets a 403 page instead of
Wagtail's own login screen, so shop users never see the Wagtail admin at all.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

OPERATOR_PREFIXES = ("/operator/", "/cms/")


class OperatorOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(OPERATOR_PREFIXES):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_operator:
                raise PermissionDenied("Platform operators only.")
        return self.get_response(request)
