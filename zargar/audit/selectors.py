"""Reads of the audit log for the operator's explorer.

Shop events are read from `ShopAuditCopy`, the platform copy that a database trigger keeps of
every shop's `AuditEvent` (see `zargar.audit.models`); the shop tables themselves are never
widened for the operator, so nothing a transaction sets can make one shop's audit rows visible
to another. Platform events come from `PlatformEvent`. Only operator views call `events()`,
after checking `request.user.is_operator`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import BigIntegerField, Q, Value
from django.utils import timezone

from .models import PlatformEvent, ShopAuditCopy

COLUMNS = (
    "id", "created_at", "action", "actor_id", "actor_label", "impersonator_id", "object_type", "object_id",
    "object_repr", "changes", "ip", "user_agent",
)
EXTRA = ("actor_email", "impersonator_email", "shop_id")


@dataclass(frozen=True)
class EventFilter:
    """Explorer filters; empty values filter nothing. `shop` is a tenant id; dates are inclusive."""

    user: str = ""  # part of the actor's email/label, or the impersonator's email
    action: str = ""  # dotted prefix, e.g. "tenancy.shop" or "auth.login"
    shop: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    ip: str = ""


def _aware(day: date, end: bool = False) -> datetime:
    moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    return timezone.make_aware(moment, timezone.get_default_timezone())


def _apply(qs, flt: EventFilter):
    if flt.user:
        qs = qs.filter(Q(actor_label__icontains=flt.user) | Q(actor__email__icontains=flt.user) | Q(impersonator__email__icontains=flt.user))
    if flt.action:
        qs = qs.filter(action__startswith=flt.action)
    if flt.date_from:
        qs = qs.filter(created_at__gte=_aware(flt.date_from))
    if flt.date_to:
        qs = qs.filter(created_at__lt=_aware(flt.date_to, end=True))
    if flt.ip:
        qs = qs.filter(ip=flt.ip)
    return qs


def events(flt: EventFilter):
    """Shop and platform events matching `flt`, newest first: a lazy queryset of dicts with
    `COLUMNS` and `EXTRA` (`shop_id` is None for platform events; `id` is the row id of the
    copy or of the platform event, for ordering only). A `shop` filter leaves platform events
    out. Slice it to page through (the CSV export reads it in chunks)."""
    users = {"actor_email": models.F("actor__email"), "impersonator_email": models.F("impersonator__email")}
    shop_qs = _apply(ShopAuditCopy.objects.all(), flt)
    if flt.shop:
        shop_qs = shop_qs.filter(shop_id=flt.shop)
    shop_qs = shop_qs.annotate(**users).values(*COLUMNS, *EXTRA)
    if flt.shop:
        return shop_qs.order_by("-created_at", "-id")
    platform_qs = (
        _apply(PlatformEvent.objects.all(), flt)
        .annotate(**users, shop_id=Value(None, output_field=BigIntegerField()))
        .values(*COLUMNS, *EXTRA)
    )
    return shop_qs.union(platform_qs, all=True).order_by("-created_at", "-id")
