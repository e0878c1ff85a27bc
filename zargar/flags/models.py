"""Feature flags: django-waffle's user flag plus shop targeting, a kill switch and a history.

Platform-wide tables (no `tenant_id`, no RLS): a flag belongs to the platform, not to a shop.
The shops a flag targets are kept in `flags_flagshop` (column `shop_id`, FK `ON DELETE CASCADE`
so purging a shop with raw SQL drops its targeting rows too). `FlagChange` is append-only: a
database trigger refuses UPDATE and DELETE.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from waffle.models import AbstractUserFlag
from waffle.utils import get_cache, keyfmt

from zargar.tenancy.models import Role, Tenant

SHOPS_CACHE_KEY = "waffle:flag:%s:shops"


class Flag(AbstractUserFlag):
    """A feature flag (`WAFFLE_FLAG_MODEL`). How it is evaluated: `zargar.flags.services.evaluate`.

    Inherited from waffle and used: `name`, `everyone` (True on for all, False off for all, None
    follow the rules), `users`, `note`, `created`, `modified`. Not used by Zargar's evaluation:
    waffle's cookie-based `percent`, `testing`, `languages`, `rollout`, `groups`, `staff`,
    `authenticated` (left empty by the operator screens). `superusers` defaults to False here:
    operators are superusers and must see what shops see.
    """

    superusers = models.BooleanField(_("Superusers"), default=False)
    shops = models.ManyToManyField(Tenant, through="FlagShop", blank=True, related_name="+", verbose_name=_("shops"))
    shop_percent = models.PositiveSmallIntegerField(
        _("percentage of shops"), default=0, validators=[MaxValueValidator(100)],
        help_text=_("Shops are chosen by a stable hash of the flag name and the shop id: a shop that is in stays in as the percentage grows."),
    )
    roles = models.JSONField(_("roles"), default=list, blank=True, help_text=_("Members with one of these roles in the current shop."))
    killed = models.BooleanField(_("kill switch"), default=False, help_text=_("Forces the flag off everywhere, over every other rule."))

    class Meta(AbstractUserFlag.Meta):
        ordering = ["name"]
        verbose_name = _("feature flag")
        verbose_name_plural = _("feature flags")

    def get_flush_keys(self, flush_keys=None):
        keys = super().get_flush_keys(flush_keys)
        keys.append(keyfmt(SHOPS_CACHE_KEY, self.name))
        return keys

    def shop_ids(self) -> set[int]:
        """Ids of the targeted shops (cached like waffle caches a flag's users)."""
        cache = get_cache()
        key = keyfmt(SHOPS_CACHE_KEY, self.name)
        cached = cache.get(key)
        if cached is not None:
            return set(cached)
        ids = set(FlagShop.objects.filter(flag_id=self.pk).values_list("shop_id", flat=True)) if self.pk else set()
        cache.add(key, sorted(ids))
        return ids

    def is_active(self, request, read_only: bool = False) -> bool:
        """Waffle's entry point (`waffle.flag_is_active`, `{% flag %}`, `@waffle_flag`):
        evaluated with the request's shop, user and membership role."""
        from .services import evaluate

        membership = getattr(request, "membership", None)
        return evaluate(self, tenant=getattr(request, "tenant", None), user=getattr(request, "user", None), role=getattr(membership, "role", None))

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles if r in Role.values]


class FlagShop(models.Model):
    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="+")
    shop = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flag", "shop"], name="flags_flagshop_unique")]


class FlagChange(models.Model):
    """One change of one flag (append-only). `before`/`after` are `services.snapshot` dicts
    ({} before creation); `actor_email` keeps who it was if the account goes."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        TURNED_ON = "turned_on", _("Turned on for everyone")
        TURNED_OFF = "turned_off", _("Turned off for everyone")
        RULES = "rules", _("Back to targeting rules")
        KILLED = "killed", _("Kill switch engaged")
        REVIVED = "revived", _("Kill switch released")

    flag_name = models.CharField(_("flag"), max_length=100, db_index=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+")
    actor_email = models.CharField(max_length=254, blank=True)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.flag_name}: {self.action}"

    @property
    def changed(self) -> list[tuple[str, object, object]]:
        """[(field, before, after)] of the fields that differ, in a stable order."""
        keys = sorted(set(self.before) | set(self.after))
        return [(k, self.before.get(k), self.after.get(k)) for k in keys if self.before.get(k) != self.after.get(k)]
