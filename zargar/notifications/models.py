"""Notifications of a shop's members: the in-app centre, per-user preferences, email/SMS deliveries.

All four tables are shop data (`TenantModel`, under Row-Level Security). Users are global, so
preferences and the SMS number are per user *per shop*: the same person can want SMS from one
shop and nothing from another.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zargar.tenancy.models import TenantModel

from .registry import EMAIL, IN_APP, SMS, UnknownNotificationType, get_type


class Notification(TenantModel):
    """One notification for one member. `params` fill the type's title and body at display
    time, in the reader's language; `url` is a panel path (or empty) the notification opens."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    type_key = models.CharField(max_length=80)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    #: False when the recipient turned the in-app channel off for this type (email/SMS only).
    in_app = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [*TenantModel.Meta.constraints]
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "recipient", "read_at"], name="notif_recipient_unread")]

    def __str__(self) -> str:
        return f"{self.type_key} → {self.recipient_id}"

    @property
    def ntype(self):
        try:
            return get_type(self.type_key)
        except UnknownNotificationType:
            return None

    def rendered(self) -> tuple[str, str]:
        """(title, body) in the active language; a type no longer installed shows its key."""
        ntype = self.ntype
        if ntype is None:
            return self.type_key, ""
        return ntype.render(self.params)

    @property
    def title(self) -> str:
        return self.rendered()[0]

    @property
    def body(self) -> str:
        return self.rendered()[1]

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(TenantModel):
    """A member's choice of channels for one notification type. No row: the type's defaults."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    type_key = models.CharField(max_length=80)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)
    sms = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "user", "type_key"], name="notifications_preference_unique"),
        ]

    def channels(self) -> set[str]:
        return {c for c, on in ((IN_APP, self.in_app), (EMAIL, self.email), (SMS, self.sms)) if on}


class ContactSettings(TenantModel):
    """Where a member gets SMS from this shop (E.164, e.g. `+989121234567`)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sms_number = models.CharField(_("mobile number for SMS"), max_length=20, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "user"], name="notifications_contact_unique"),
        ]


class Delivery(TenantModel):
    """One email or SMS of a notification, sent by the `notifications.deliver` Celery task."""

    class Channel(models.TextChoices):
        EMAIL = EMAIL, _("Email")
        SMS = SMS, _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        RETRYING = "retrying", _("Retrying")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=254)
    language = models.CharField(max_length=8)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    #: The provider's id of the message (anymail's message_id, Twilio's SM… sid).
    provider_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [*TenantModel.Meta.constraints]
        ordering = ["-created_at", "-pk"]
