"""The API's credentials besides JWT (simplejwt):

- `ApiKeyAuthentication` — a shop's API key, `Authorization: Bearer sk_live_…` or
  `X-Api-Key: …`. Secret keys (`sk_…`) read and write; publishable keys (`pk_…`) only read.
- `TwoFactorSessionAuthentication` — the panel's session cookie (CSRF enforced on unsafe
  methods), refused while a user with a confirmed 2FA device has not passed it.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .models import PREFIX_LENGTH, ApiKey

KEY_PREFIXES = ("sk_live_", "sk_test_", "pk_live_", "pk_test_")


def _presented_key(request) -> str | None:
    header = authentication.get_authorization_header(request).decode(errors="replace")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
    else:
        token = request.META.get("HTTP_X_API_KEY", "").strip()
    return token if token.startswith(KEY_PREFIXES) else None


def _columns(model, alias: str) -> list[str]:
    return [f'{alias}."{f.column}"' for f in model._meta.concrete_fields]


def _instance(model, values, using: str):
    """A model instance from one row's `values` (its concrete fields, in order), with the
    fields' database converters applied as the ORM would (e.g. JSON columns)."""
    connection = connections[using]
    converted = []
    for field, value in zip(model._meta.concrete_fields, values):
        expression = field.get_col(model._meta.db_table)
        for converter in connection.ops.get_db_converters(expression) + expression.get_db_converters(connection):
            value = converter(value, expression, connection)
        converted.append(value)
    return model.from_db(using, [f.attname for f in model._meta.concrete_fields], converted)


def find_key(token: str, *, using: str = DEFAULT_DB_ALIAS) -> ApiKey | None:
    """The active key (not revoked, not past the grace period of a roll) for a presented secret
    or publishable key, or None; its `tenant` and `created_by` come loaded with it.

    Works before any shop is known, in ONE round trip: the SQL function
    `zargar_api_key_lookup` (migration `zargar_api.0003`) sets `app.api_key_lookup` to the key's
    lookup value (the secret's first 16 characters, or the whole publishable key) for the
    duration of the call only, reads the one row the key table's read policy then admits (as the
    runtime role, under RLS), and the query joins the key's shop and creator. Nothing is cached:
    a key revoked a moment ago fails on the next request. A secret key must then match the
    stored SHA-256 digest (constant-time comparison).
    """
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from zargar.tenancy.models import Tenant

    User = get_user_model()
    is_secret = token.startswith("sk_")
    lookup = token[:PREFIX_LENGTH] if is_secret else token
    sql = (
        f"SELECT {', '.join(_columns(ApiKey, 'k') + _columns(Tenant, 't') + _columns(User, 'u'))} "
        f"FROM zargar_api_key_lookup(%s, %s, %s) k "
        f'JOIN "{Tenant._meta.db_table}" t ON t."id" = k."tenant_id" '
        f'JOIN "{User._meta.db_table}" u ON u."{User._meta.pk.column}" = k."created_by_id"'
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [lookup, is_secret, timezone.now()])
        row = cursor.fetchone()
    if row is None:
        return None
    n_key, n_tenant = len(ApiKey._meta.concrete_fields), len(Tenant._meta.concrete_fields)
    key = _instance(ApiKey, row[:n_key], using)
    ApiKey._meta.get_field("tenant").set_cached_value(key, _instance(Tenant, row[n_key : n_key + n_tenant], using))
    ApiKey._meta.get_field("created_by").set_cached_value(key, _instance(User, row[n_key + n_tenant :], using))
    if is_secret and not key.matches(token):
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
