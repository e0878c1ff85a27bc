"""Two-factor enforcement and remembered user preferences."""

from __future__ import annotations

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from .otp import has_confirmed_device, second_factor_passed

#: Paths outside this check. The API enforces 2FA on session credentials itself
#: (`zargar.api.authentication.TwoFactorSessionAuthentication`) and answers in JSON.
_OPEN_PREFIXES = ("/static/", "/media/", "/i18n/", "/api/")
#: URL names a signed-in user may reach before passing (or, for operators, enrolling) 2FA:
#: the 2FA pages themselves, sign-out, and the theme/language toggles shown on them.
_PENDING_URL_NAMES = ("two_factor_verify", "two_factor_setup", "account_logout", "panel:set-theme", "panel:set-language")


def _pending_paths() -> frozenset[str]:
    return frozenset(reverse(name) for name in _PENDING_URL_NAMES)


class TwoFactorMiddleware:
    """The second factor, enforced for every signed-in request (runs after django-otp's
    `OTPMiddleware`, which provides `user.is_verified()`):

    - a user with a confirmed device who has not passed it in this session is sent to
      `two_factor_verify` (with `?next=`);
    - a platform operator without a device is sent to `two_factor_setup` (2FA is mandatory
      for operators);
    - only the verify, setup and logout pages are reachable in between — not the rest of
      /accounts/ (password or email change, 2FA management);
    - an impersonation session (django-hijack) counts as verified: only an operator who passed
      their own second factor can start one (`zargar.audit` permission check).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._pending = None

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(_OPEN_PREFIXES) and not second_factor_passed(request, user):
            if self._pending is None:
                self._pending = _pending_paths()
            if request.path not in self._pending:
                if has_confirmed_device(user):
                    return self._refuse(request, "two_factor_verify")
                if user.is_operator:
                    return self._refuse(request, "two_factor_setup")
        return self.get_response(request)

    @staticmethod
    def _refuse(request, url_name: str):
        return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")


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
