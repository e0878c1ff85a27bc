"""Outbound webhooks of a shop: endpoints, the events published, deliveries and their attempts.

All four tables are shop data (`TenantModel`, under Row-Level Security).

- `WebhookEndpoint`: a URL the shop registered, the event types it wants, its signing secret
  (encrypted at rest with a key derived from `SECRET_KEY`, see `crypto`).
- `WebhookEvent`: one published event (`sale.completed` …) with its JSON payload.
- `WebhookDelivery`: one event to one endpoint; its status and the next retry time.
- `WebhookAttempt`: one HTTP request of a delivery: request headers and body, response status,
  body excerpt and duration (the delivery log).
"""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from zargar.tenancy.models import TenantModel

from .crypto import EncryptedSecretField

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A signing secret: `whsec_` and 43 URL-safe characters (256 random bits)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def new_event_id() -> str:
    return "evt_" + uuid.uuid4().hex


class WebhookEndpoint(TenantModel):
    url = models.URLField(_("endpoint URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    #: Event type keys this endpoint receives; `["*"]` means every type.
    events = models.JSONField(_("events"), default=list)
    #: The signing secret (plaintext in Python, Fernet-encrypted in the column: `crypto`).
    secret = EncryptedSecretField(max_length=255, default=new_secret, editable=False)
    #: After a rotation the old secret still signs (a second `v1=`) until this moment.
    previous_secret = EncryptedSecretField(max_length=255, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [*TenantModel.Meta.constraints]
        ordering = ["created_at", "pk"]
        verbose_name = _("webhook endpoint")

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return "*" in self.events or event_type in self.events

    @property
    def secret_hint(self) -> str:
        """The secret's prefix and last four characters, for lists (never the whole secret)."""
        return f"{self.secret[:len(SECRET_PREFIX)]}…{self.secret[-4:]}"


class WebhookEvent(TenantModel):
    event_id = models.CharField(max_length=40, default=new_event_id, editable=False)
    event_type = models.CharField(max_length=80)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["event_id"], name="webhooks_event_unique_id"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class WebhookDelivery(TenantModel):
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [*TenantModel.Meta.constraints]
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "status", "next_attempt_at"], name="webhooks_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(TenantModel):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    url = models.CharField(max_length=500)
    request_headers = models.JSONField(default=dict)
    request_body = models.TextField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    #: The first `RESPONSE_EXCERPT_BYTES` of the response body, decoded leniently.
    response_body = models.TextField(blank=True)
    #: Connection/timeout error when no response came back.
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    succeeded = models.BooleanField(default=False)
    manual = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [*TenantModel.Meta.constraints]
        ordering = ["delivery", "number"]


class RetryDue(models.Model):
    """Platform index (not shop data, no RLS): the earliest moment a shop has a webhook retry
    due, so the every-minute sweep wakes only shops with work instead of every shop. Holds no
    payload, only (shop id, time). Kept by `services.note_retry_due` / `tasks.dispatch_due`."""

    shop_id = models.BigIntegerField(primary_key=True)
    due_at = models.DateTimeField(db_index=True)
