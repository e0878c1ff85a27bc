"""Writes of API keys. Each action takes the shop explicitly, runs in the shop's tenant
context and is atomic."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zargar.tenancy.context import tenant_context

from .models import ApiKey


def create_api_key(tenant, *, name: str, mode: str, created_by) -> tuple[ApiKey, str]:
    """Create a key pair for `tenant`. Returns `(key, secret_key)`.

    `mode` is "live" or "test". The secret key (`sk_<mode>_…`) is returned here only: the
    database keeps its SHA-256 digest and 16-character lookup prefix. Raises `ValidationError`
    for an empty name or an unknown mode.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the key a name.")})
    if mode not in ApiKey.Mode.values:
        raise ValidationError({"mode": _("Choose live or test.")})
    with transaction.atomic(), tenant_context(tenant, user=created_by):
        return ApiKey.generate(tenant=tenant, name=name[:100], mode=mode, created_by=created_by)


def revoke_api_key(tenant, key: ApiKey) -> ApiKey:
    """Revoke `key` (a key of `tenant`); from now on it answers 401. Revoking a revoked key
    changes nothing. Raises `ApiKey.DoesNotExist` for another shop's key."""
    if key.tenant_id != tenant.pk:
        raise ApiKey.DoesNotExist
    with transaction.atomic(), tenant_context(tenant):
        if key.revoked_at is None:
            key.revoke()
    return key


def roll_api_key(tenant, key: ApiKey, *, created_by) -> tuple[ApiKey, str]:
    """Revoke `key` and create a new pair with the same name and mode, in one transaction.
    Returns `(new_key, secret_key)`; the secret is not stored."""
    with transaction.atomic():
        revoke_api_key(tenant, key)
        return create_api_key(tenant, name=key.name, mode=key.mode, created_by=created_by)
