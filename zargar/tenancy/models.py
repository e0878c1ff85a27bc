"""Shops, memberships and per-shop module activation, plus the base class of all tenant data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .context import current_tenant
from .permissions import role_has_perm
from .rls import USER_SETTING, TenantIsolationPolicy, setting_sql
from .roles import Role

__all__ = ["Membership", "ModuleActivation", "Role", "Tenant", "TenantModel"]


class Tenant(models.Model):
    """A shop. Not itself under RLS: it is the registry of shops (name, slug, status)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        SCHEDULED_FOR_DELETION = "scheduled_for_deletion", _("Scheduled for deletion")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    status = models.CharField(_("status"), max_length=32, choices=Status.choices, default=Status.ACTIVE)
    default_locale = models.CharField(_("default language"), max_length=8, choices=settings.LANGUAGES, default="en")
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    currency = models.CharField(_("currency"), max_length=3, default="USD", help_text=_("ISO 4217 code"))
    created_at = models.DateTimeField(auto_now_add=True)
    #: When a shop scheduled for deletion is purged (set by `schedule_tenant_deletion`, cleared by
    #: `restore_tenant`); the daily purge job deletes every row of shops past this moment.
    deletion_scheduled_for = models.DateTimeField(_("deletion scheduled for"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("shop")
        verbose_name_plural = _("shops")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


def _tenant_default():
    tenant = current_tenant()
    return tenant.pk if tenant is not None else None


class TenantModel(models.Model):
    """Abstract base of every table that holds a shop's data.

    It carries an explicit `tenant` foreign key and the `TenantIsolationPolicy` constraint, so
    the migration that creates the table also enables and forces RLS on it. A subclass that
    declares its own `Meta.constraints` must include `*TenantModel.Meta.constraints`
    (the system check `zargar.E001` fails otherwise). The tenant defaults to the active one.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", default=_tenant_default, editable=False)

    class Meta:
        abstract = True
        constraints = [TenantIsolationPolicy(name="%(app_label)s_%(class)s_tenant_isolation")]


class Membership(TenantModel):
    """A user's role in one shop. Users are global; one user can belong to several shops.

    Read policy: the current shop's memberships, plus the current user's own memberships in any
    shop (`app.user_id`), which the tenant switcher lists. Writes only in the current shop.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            TenantIsolationPolicy(
                name="tenancy_membership_tenant_isolation",
                extra_using=f"user_id = {setting_sql(USER_SETTING)}",
            ),
            models.UniqueConstraint(fields=["tenant", "user"], name="tenancy_membership_unique_user"),
        ]
        verbose_name = _("membership")

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant_id} ({self.role})"

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def has_perm(self, codename: str) -> bool:
        """True when this member's role holds `codename` (see `zargar.tenancy.permissions`)."""
        return role_has_perm(self.role, codename)


class ModuleActivation(TenantModel):
    """Whether one module is on for one shop, and its per-shop configuration (JSON)."""

    module_key = models.CharField(max_length=40)
    enabled = models.BooleanField(default=True)
    configuration = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "module_key"], name="tenancy_moduleactivation_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.module_key} ({'on' if self.enabled else 'off'})"
