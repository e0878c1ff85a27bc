"""Reads of the notification centre (in the shop's tenant context)."""

from __future__ import annotations

from django.db.models import QuerySet

from zargar.tenancy.roles import Role

from .models import ContactSettings, Notification, NotificationPreference
from .registry import all_types
from .services import channels_for


def notifications_of(tenant, user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """`user`'s in-app notifications in `tenant`, newest first."""
    qs = Notification.objects.filter(tenant=tenant, recipient=user, in_app=True)
    return qs.filter(read_at__isnull=True) if unread_only else qs


def unread_count(tenant, user) -> int:
    """How many unread in-app notifications `user` has in `tenant` (the header badge)."""
    if tenant is None or not getattr(user, "is_authenticated", False):
        return 0
    return notifications_of(tenant, user, unread_only=True).count()


def preference_rows(tenant, user, role=None) -> list[dict]:
    """One row per registered type `user` can receive (with `role`, the types whose audience
    includes that role): `{"type", "channels" (effective), "offered"}`."""
    saved = {p.type_key: p for p in NotificationPreference.objects.filter(tenant=tenant, user=user)}
    return [
        {"type": t, "channels": channels_for(tenant, user, t, preference=saved.get(t.key)), "offered": set(t.channels)}
        for t in all_types()
        if role is None or Role(role).at_least(t.min_role)
    ]


def sms_number_of(tenant, user) -> str:
    return ContactSettings.objects.filter(tenant=tenant, user=user).values_list("sms_number", flat=True).first() or ""
