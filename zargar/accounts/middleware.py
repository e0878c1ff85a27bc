"""Two-factor enforcement and remembered user preferences."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from .otp import has_confirmed_device

#: Paths reachable while signed in but not yet through the second factor.
_OPEN_PREFIXES = ("/accounts/", "/static/", "/media/", "/i18n/", "/api/")


class TwoFactorMiddleware:
    """A user with a confirmed TOTP device must pass it after login; a platform operator
    without one must enrol before reaching anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES) and not user.is_verified():
            if has_confirmed_device(user):
                return redirect(f"{reverse('two_factor_verify')}?next={request.get_full_path()}")
            if user.is_operator:
                return redirect(f"{reverse('two_factor_setup')}?next={request.get_full_path()}")
        return self.get_response(request)


class UserPreferencesMiddleware:
    """Activates the signed-in user's remembered language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language and user.language != translation.get_language():
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
