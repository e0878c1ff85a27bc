"""Audit events: who did what, to which object, from where.

Two tables, both append-only in practice (only the retention job and a shop's purge delete):

- `AuditEvent` — an event *of one shop* (a `TenantModel`, under Row-Level Security): operator
  lifecycle actions on that shop, role changes, API access with a shop credential. A shop's own
  users can only ever read their shop's rows (the tenant policy). Platform operators read every
  shop's rows only through `zargar.audit.selectors.operator_scope()`, which sets the
  transaction-local setting `app.audit_reader = 'operator'`; the table's extra `FOR SELECT`
  policy admits that. Writes always pass the plain tenant match (WITH CHECK), so an event can only
  be written inside its own shop's `tenant_context`.
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
from zargar.tenancy.rls import TenantIsolationPolicy

#: Transaction setting that lets a verified operator read every shop's `AuditEvent` rows.
READER_SETTING = "app.audit_reader"
OPERATOR_READ_SQL = f"NULLIF((SELECT current_setting('{READER_SETTING}', true)), '') = 'operator'"


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
    """An audited event of one shop (see the module docstring for who may read it)."""

    class Meta(EventFields.Meta):
        constraints = [
            TenantIsolationPolicy(name="audit_auditevent_tenant_isolation", extra_using=OPERATOR_READ_SQL),
        ]
        indexes = [models.Index(fields=["tenant", "created_at"], name="audit_event_tenant_time")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")


class PlatformEvent(EventFields):
    """An audited event that belongs to no shop (sign-ins, impersonation, purges)."""

    class Meta(EventFields.Meta):
        verbose_name = _("platform audit event")
        verbose_name_plural = _("platform audit events")
