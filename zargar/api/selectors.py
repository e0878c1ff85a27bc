"""Reads of API keys, always within one shop (explicit filter, RLS underneath)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import ApiKey


def api_keys_of(tenant, *, include_revoked: bool = False) -> QuerySet[ApiKey]:
    """The shop's keys, newest first; active ones (not revoked, not expired after a roll's
    grace period) unless `include_revoked`."""
    qs = ApiKey.objects.filter(tenant=tenant).select_related("created_by")
    if include_revoked:
        return qs
    return qs.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()), revoked_at__isnull=True)


def get_api_key(tenant, pk: int) -> ApiKey:
    """The shop's active key `pk`; raises `ApiKey.DoesNotExist` for a revoked, missing or
    another shop's key."""
    return api_keys_of(tenant).get(pk=pk)
