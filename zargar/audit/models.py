"""Audit events: who did what, to which object, from where.

Two tables, both append-only in practice (only the retention job and a shop's purge delete):

- `AuditEvent` — an event *of one shop* (a `TenantModel`, under Row-Level Security, with the
  plain tenant policy and nothing else): operator lifecycle actions on that shop, role changes,
  API access with a shop credential. It is read and written only inside its own shop's
  `tenant_context`, like every other shop table; no setting widens it.
- `ShopAuditCopy` — the platform operators' copy of every shop's `AuditEvent`, kept by a database
  trigger (`audit_auditevent_operator_copy`): each insert, update and delete of an `AuditEvent`
  row is mirrored by a `SECURITY DEFINER` function owned by the migration owner. The copy table
  has no `tenant_id` column (it is a platform table, like `PlatformEvent`); RLS on it has a
  single `FOR SELECT` policy, so the runtime role can read it but can never insert, change or
  delete a row (only the trigger, running as the table owner, writes it). Only the operator's
  explorer reads it (`zargar.audit.selectors.events`). The retention job and a shop's purge
  delete `AuditEvent` rows; the trigger deletes their copies with them.
- `PlatformEvent` — an event that belongs to no shop: logins, logouts, failed logins, password
  changes and resets, impersonation start/stop, API calls that resolved no shop, the final
  "shop purged" record (the shop row is gone by then). No tenant column, no shop data.

Field changes of tenant models (before/after values) are kept by django-auditlog's `LogEntry`
(see `zargar.audit.apps`), with the real operator in `additional_data` while impersonating.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zargar.tenancy.models import TenantModel

class EventFields(models.Model):
    """The columns both event tables share."""

    action = models.CharField(_("action"), max_length=80, db_index=True, help_text=_('Dotted name, e.g. "tenancy.shop.suspended"'))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    #: The actor's email at the time (kept when the user is deleted) or an API key's prefix.
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    impersonator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("impersonator")
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)  # "app_label.model"
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)  # {"field": [before, after]} or details
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} by {self.actor_label or '-'}"


class AuditEvent(TenantModel, EventFields):
    """An audited event of one shop, readable only in that shop's tenant context."""

    class Meta(EventFields.Meta):
        constraints = [*TenantModel.Meta.constraints]
        indexes = [models.Index(fields=["tenant", "created_at"], name="audit_event_tenant_time")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")


class PlatformEvent(EventFields):
    """An audited event that belongs to no shop (sign-ins, impersonation, purges)."""

    class Meta(EventFields.Meta):
        verbose_name = _("platform audit event")
        verbose_name_plural = _("platform audit events")


class ShopAuditCopy(models.Model):
    """The operators' read-only copy of one shop's `AuditEvent` (written by a trigger only).

    `source_id` is the `AuditEvent` id, `shop` its shop. The user and shop keys are kept without
    database constraints (`db_constraint=False`): the trigger mirrors the source row's own
    SET_NULL when a user is deleted, and the copy is deleted with its source row.
    """

    source_id = models.BigIntegerField(_("audit event"), unique=True, editable=False)
    shop = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("shop")
    )
    action = models.CharField(_("action"), max_length=80, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+", verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    impersonator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True,
        related_name="+", verbose_name=_("impersonator"),
    )
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["shop", "created_at"], name="audit_copy_shop_time")]
        verbose_name = _("shop audit event (operator copy)")
        verbose_name_plural = _("shop audit events (operator copy)")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} by {self.actor_label or '-'}"
