"""Reads of API keys, always within one shop (explicit filter, RLS underneath)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ApiKey


def api_keys_of(tenant, *, include_revoked: bool = False) -> QuerySet[ApiKey]:
    """The shop's keys, newest first; active ones only unless `include_revoked`."""
    qs = ApiKey.objects.filter(tenant=tenant).select_related("created_by")
    return qs if include_revoked else qs.filter(revoked_at__isnull=True)


def get_api_key(tenant, pk: int) -> ApiKey:
    """The shop's active key `pk`; raises `ApiKey.DoesNotExist` for a revoked, missing or
    another shop's key."""
    return api_keys_of(tenant).get(pk=pk)
