"""Writes of API keys. Each action takes the shop explicitly, runs in the shop's tenant
context and is atomic."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zargar.tenancy.context import tenant_context

from . import scopes as scope_registry
from .models import ApiKey

MAX_RATE_LIMIT = 100_000  # requests per minute
#: Grace periods offered when rolling a key (seconds → the old secret keeps working that long).
ROLL_GRACE_CHOICES = (0, 3600, 24 * 3600, 7 * 24 * 3600)


def create_api_key(
    tenant, *, name: str, mode: str, created_by, scopes=(scope_registry.FULL_ACCESS,), rate_limit_per_minute: int | None = None, rolled_from=None
) -> tuple[ApiKey, str]:
    """Create a key pair for `tenant`. Returns `(key, secret_key)`.

    `mode` is "live" or "test". `scopes` are codes of `zargar.api.scopes.available_scopes()`
    (`"inventory:read"`, `"pos:write"`, …) or `"*"` (full access, the default).
    `rate_limit_per_minute` (1–100000) overrides `settings.ZARGAR_API_KEY_RATE_LIMIT`; None
    keeps the default. The secret key (`sk_<mode>_…`) is returned here only: the database
    keeps its SHA-256 digest and 16-character lookup prefix. Raises `ValidationError` for an
    empty name, an unknown mode, no or an unknown scope, or a rate limit out of range.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the key a name.")})
    if mode not in ApiKey.Mode.values:
        raise ValidationError({"mode": _("Choose live or test.")})
    try:
        codes = scope_registry.normalise(scopes)
    except ValueError as exc:
        raise ValidationError({"scopes": _("Unknown scope %(scope)s.") % {"scope": exc.args[0]}}) from exc
    if not codes:
        raise ValidationError({"scopes": _("Choose at least one scope.")})
    if rate_limit_per_minute is not None and not 1 <= int(rate_limit_per_minute) <= MAX_RATE_LIMIT:
        raise ValidationError({"rate_limit_per_minute": _("Between 1 and %(max)d requests per minute.") % {"max": MAX_RATE_LIMIT}})
    with transaction.atomic(), tenant_context(tenant, user=created_by):
        return ApiKey.generate(
            tenant=tenant, name=name[:100], mode=mode, created_by=created_by, scopes=codes,
            rate_limit_per_minute=rate_limit_per_minute, rolled_from=rolled_from,
        )


def revoke_api_key(tenant, key: ApiKey) -> ApiKey:
    """Revoke `key` (a key of `tenant`); from now on it answers 401. Revoking a revoked key
    changes nothing. Raises `ApiKey.DoesNotExist` for another shop's key."""
    if key.tenant_id != tenant.pk:
        raise ApiKey.DoesNotExist
    with transaction.atomic(), tenant_context(tenant):
        if key.revoked_at is None:
            key.revoke()
    return key


def _still_known(codes) -> list[str]:
    """`codes` without scopes of modules that are no longer installed (full access if none is left)."""
    known = scope_registry.scope_codes() | {scope_registry.FULL_ACCESS}
    return [code for code in codes or () if code in known] or [scope_registry.FULL_ACCESS]


def roll_api_key(tenant, key: ApiKey, *, created_by, grace_seconds: int = 0) -> tuple[ApiKey, str]:
    """Replace `key` with a new pair of the same name, mode, scopes and rate limit, in one
    transaction. Returns `(new_key, secret_key)`; the secret is not stored.

    `grace_seconds` 0 revokes the old key at once; otherwise (one of `ROLL_GRACE_CHOICES`: 1 h,
    24 h or 7 days) the old key keeps working until `expires_at` = now + grace, so deployed
    clients can switch over. Raises `ValidationError` for another grace period and
    `ApiKey.DoesNotExist` for another shop's key.
    """
    if grace_seconds not in ROLL_GRACE_CHOICES:
        raise ValidationError({"grace_seconds": _("Choose one of the offered grace periods.")})
    if key.tenant_id != tenant.pk:
        raise ApiKey.DoesNotExist
    with transaction.atomic():
        if grace_seconds:
            with tenant_context(tenant):
                expires = timezone.now() + dt.timedelta(seconds=grace_seconds)
                if key.expires_at is None or key.expires_at > expires:
                    key.expires_at = expires
                    key.save(update_fields=["expires_at"])
        else:
            revoke_api_key(tenant, key)
        return create_api_key(
            tenant, name=key.name, mode=key.mode, created_by=created_by, scopes=_still_known(key.scopes),
            rate_limit_per_minute=key.rate_limit_per_minute, rolled_from=key,
        )
