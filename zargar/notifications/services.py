"""Writes of the notification centre: `notify()` and what members do with their notifications.

`notify(tenant, type_key, params=...)` writes one `Notification` per recipient (the members
whose role is at least the type's `min_role`, or the `users` given), and a `Delivery` per email
or SMS their preferences ask for. The deliveries are handed to the `notifications.deliver`
Celery task after the surrounding transaction commits, so a rolled-back action sends nothing.
Needs the shop's tenant context (a panel request, `tenant_context` or a `tenant_task`).
"""

from __future__ import annotations

from typing import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Membership
from zargar.tenancy.roles import Role

from .models import ContactSettings, Delivery, Notification, NotificationPreference
from .registry import CHANNELS, EMAIL, IN_APP, SMS, NotificationType, get_type

__all__ = ["channels_for", "mark_all_read", "mark_read", "notify", "save_preferences", "sms_configured"]


def sms_configured() -> bool:
    """True when Twilio credentials and a sender are set (`TWILIO_*` settings)."""
    return bool(settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_FROM_NUMBER)


_UNSET = object()


def channels_for(tenant, user, ntype: NotificationType, *, preference=_UNSET) -> set[str]:
    """The channels `user` gets `ntype` on in `tenant`: their saved choice, else the type's
    defaults; always within the type's channels. `preference`: the already-loaded
    `NotificationPreference` row or None (no row); omitted, it is read."""
    if preference is _UNSET:
        preference = NotificationPreference.objects.filter(tenant=tenant, user=user, type_key=ntype.key).first()
    chosen = preference.channels() if preference is not None else set(ntype.default_channels)
    return chosen & set(ntype.channels)


def _language(user, tenant) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in languages else tenant.default_locale


def _recipients(tenant, ntype: NotificationType, users) -> list:
    if users is not None:
        return list(users)
    members = Membership.objects.filter(tenant=tenant).select_related("user").order_by("pk")
    return [m.user for m in members if m.user.is_active and Role(m.role).at_least(ntype.min_role)]


def notify(tenant, type_key: str, params: dict | None = None, *, url: str = "", users: Iterable | None = None) -> list[Notification]:
    """Notify the shop's members of an event of type `type_key`.

    `params` (JSON-serialisable) fill the type's title and body; `url` is the panel path the
    notification links to. `users`: explicit recipients instead of the type's role audience.
    Returns the notifications written (one per recipient, also for email/SMS-only
    recipients, whose row is hidden from the in-app list). Raises `UnknownNotificationType`.
    """
    ntype = get_type(type_key)
    params = dict(params or {})
    created: list[Notification] = []
    deliveries: list[int] = []
    with tenant_context(tenant) as tenant:
        recipients = _recipients(tenant, ntype, users)
        prefs = {
            p.user_id: p
            for p in NotificationPreference.objects.filter(tenant=tenant, type_key=type_key, user__in=[u.pk for u in recipients])
        }
        numbers = dict(
            ContactSettings.objects.filter(tenant=tenant, user__in=[u.pk for u in recipients]).values_list("user_id", "sms_number")
        )
        for user in recipients:
            channels = channels_for(tenant, user, ntype, preference=prefs.get(user.pk))
            if not channels:
                continue
            notification = Notification.objects.create(
                tenant=tenant, recipient=user, type_key=type_key, params=params, url=url, in_app=IN_APP in channels
            )
            created.append(notification)
            language = _language(user, tenant)
            if EMAIL in channels and user.email:
                deliveries.append(
                    Delivery.objects.create(tenant=tenant, notification=notification, channel=EMAIL, address=user.email, language=language).pk
                )
            if SMS in channels and numbers.get(user.pk) and sms_configured():
                deliveries.append(
                    Delivery.objects.create(tenant=tenant, notification=notification, channel=SMS, address=numbers[user.pk], language=language).pk
                )
    if deliveries:
        from .tasks import deliver

        tenant_id = tenant.pk
        transaction.on_commit(lambda: [deliver.delay(tenant_id, pk) for pk in deliveries], robust=True)
    return created


def mark_read(tenant, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark `user`'s notifications in `tenant` read (all unread ones when `notification_ids`
    is None). Another member's notifications are never touched. Returns how many changed."""
    with tenant_context(tenant):
        qs = Notification.objects.filter(tenant=tenant, recipient=user, read_at__isnull=True)
        if notification_ids is not None:
            qs = qs.filter(pk__in=list(notification_ids))
        return qs.update(read_at=timezone.now())


def mark_all_read(tenant, user) -> int:
    return mark_read(tenant, user, None)


@transaction.atomic
def save_preferences(tenant, user, choices: dict[str, set[str]], *, sms_number: str | None = None) -> None:
    """Save `user`'s channels per type key (`{"billing.usage_threshold": {"in_app", "email"}}`)
    and, when given, their SMS number (E.164 or ""). Unknown keys raise `UnknownNotificationType`;
    channels a type does not offer are dropped."""
    with tenant_context(tenant):
        for key, channels in choices.items():
            ntype = get_type(key)
            channels = set(channels) & set(ntype.channels) & set(CHANNELS)
            NotificationPreference.objects.update_or_create(
                tenant=tenant, user=user, type_key=key,
                defaults={"in_app": IN_APP in channels, "email": EMAIL in channels, "sms": SMS in channels},
            )
        if sms_number is not None:
            ContactSettings.objects.update_or_create(tenant=tenant, user=user, defaults={"sms_number": sms_number})
