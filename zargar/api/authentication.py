"""The API's credentials besides JWT (simplejwt):

- `ApiKeyAuthentication` — a shop's API key, `Authorization: Bearer sk_live_…` or
  `X-Api-Key: …`. Secret keys (`sk_…`) read and write; publishable keys (`pk_…`) only read.
- `TwoFactorSessionAuthentication` — the panel's session cookie (CSRF enforced on unsafe
  methods), refused while a user with a confirmed 2FA device has not passed it.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import LOOKUP_SETTING, PREFIX_LENGTH, ApiKey

KEY_PREFIXES = ("sk_live_", "sk_test_", "pk_live_", "pk_test_")


def _presented_key(request) -> str | None:
    header = authentication.get_authorization_header(request).decode(errors="replace")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
    else:
        token = request.META.get("HTTP_X_API_KEY", "").strip()
    return token if token.startswith(KEY_PREFIXES) else None


def find_key(token: str) -> ApiKey | None:
    """The active key (not revoked, not past the grace period of a roll) for a presented secret
    or publishable key, or None.

    Works before any shop is known: sets `app.api_key_lookup` to the key's lookup value (the
    secret's first 16 characters, or the whole publishable key), which the key table's read
    policy accepts for that one row, reads it, and clears the setting again — all inside a
    savepoint of the request's transaction. A secret key must then match the stored SHA-256
    digest (constant-time comparison).
    """
    from django.db.models import Q
    from django.utils import timezone

    is_secret = token.startswith("sk_")
    lookup = token[:PREFIX_LENGTH] if is_secret else token
    field = "secret_prefix" if is_secret else "publishable_key"
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [LOOKUP_SETTING, lookup])
        key = ApiKey.objects.select_related("tenant", "created_by").filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()), **{field: lookup}, revoked_at__isnull=True
        ).first()
        # On an error the savepoint's rollback undoes the setting instead.
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, '', true)", [LOOKUP_SETTING])
    if key is None or (is_secret and not key.matches(token)):
        return None
    return key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates a shop's API key. `request.user` is the key's creator, `request.auth` the
    `ApiKey` (with `is_secret` set); the shop is the key's (`zargar.api.viewsets`).

    Raises `AuthenticationFailed` (401) for an unknown, revoked or mistyped key, or when the
    creator's account is deactivated. Returns None (next authenticator) when no key is presented.
    """

    def authenticate(self, request):
        token = _presented_key(request)
        if token is None:
            return None
        key = find_key(token)
        if key is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."), code="invalid_api_key")
        if not key.created_by.is_active:
            raise exceptions.AuthenticationFailed(_("The user who created this API key is inactive."), code="invalid_api_key")
        key.is_secret = token.startswith("sk_")
        return key.created_by, key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class TwoFactorSessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication (CSRF checked for authenticated unsafe requests), except
    that a user with a confirmed TOTP/recovery device must have passed it in this session —
    the same rule `TwoFactorMiddleware` applies to the panel."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        from zargar.accounts.otp import has_confirmed_device, second_factor_passed

        if not second_factor_passed(request._request, user) and has_confirmed_device(user):
            raise exceptions.AuthenticationFailed(_("Complete two-factor verification first."), code="two_factor_required")
        return result
