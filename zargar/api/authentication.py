"""API-key authentication: `Authorization: Bearer sk_live_…` (or `X-Api-Key: …`)."""

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
    """The active key for a presented secret or publishable key, or None.

    Reads through the lookup policy (`app.api_key_lookup`) inside a savepoint, then clears it.
    """
    lookup = token[:PREFIX_LENGTH] if token.startswith("sk_") else token
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [LOOKUP_SETTING, lookup])
        field = "secret_prefix" if token.startswith("sk_") else "publishable_key"
        key = ApiKey.objects.select_related("tenant", "created_by").filter(**{field: lookup}, revoked_at__isnull=True).first()
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, '', true)", [LOOKUP_SETTING])
    if key is None or (token.startswith("sk_") and not key.matches(token)):
        return None
    return key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates a shop's API key. `request.user` is the key's creator, `request.auth` the
    `ApiKey`; the shop is the key's (`zargar.api.viewsets`). Secret keys read and write,
    publishable keys only read."""

    def authenticate(self, request):
        token = _presented_key(request)
        if token is None:
            return None
        key = find_key(token)
        if key is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."))
        if not key.created_by.is_active:
            raise exceptions.AuthenticationFailed(_("The user who created this API key is inactive."))
        key.is_secret = token.startswith("sk_")
        return key.created_by, key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
