"""Per-shop API keys, Stripe-style: `pk_live_…`/`pk_test_…` (publishable, read-only) and
`sk_live_…`/`sk_test_…` (secret, read and write).

A key carries `scopes` (`"<module>:read"` / `"<module>:write"`, see `zargar.api.scopes`; `"*"`
is full access), an optional per-minute rate limit (`rate_limit_per_minute`, null = the
`ZARGAR_API_KEY_RATE_LIMIT` default) and, after a roll with a grace period, an `expires_at`
after which it stops working.

The secret is shown once, at creation; only its SHA-256 digest and a 16-character lookup
prefix are stored. Keys live under the shop's RLS policy; authentication finds a key before
any shop is known by setting `app.api_key_lookup` to the presented key's lookup prefix, which
the read policy accepts for that one row (never for writes).
"""

from __future__ import annotations

import hashlib
import secrets
import string

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zargar.tenancy.models import TenantModel
from zargar.tenancy.rls import TenantIsolationPolicy

LOOKUP_SETTING = "app.api_key_lookup"
PREFIX_LENGTH = 16
_ALPHABET = string.ascii_letters + string.digits


def _random(n: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(n))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKey(TenantModel):
    class Mode(models.TextChoices):
        LIVE = "live", _("Live")
        TEST = "test", _("Test")

    name = models.CharField(_("name"), max_length=100)
    mode = models.CharField(_("mode"), max_length=4, choices=Mode.choices, default=Mode.LIVE)
    publishable_key = models.CharField(max_length=64, unique=True)
    secret_prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True)
    secret_digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField(
        _("scopes"), default=list, blank=True,
        help_text=_("Module scopes such as inventory:read or pos:write; * means every scope."),
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        _("requests per minute"), null=True, blank=True,
        help_text=_("Leave empty for the platform default."),
    )
    expires_at = models.DateTimeField(
        _("expires at"), null=True, blank=True,
        help_text=_("Set when the key was rolled with a grace period; the key stops working then."),
    )
    rolled_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            TenantIsolationPolicy(
                name="zargar_api_apikey_tenant_isolation",
                extra_using=(
                    f"secret_prefix = NULLIF((SELECT current_setting('{LOOKUP_SETTING}', true)), '') "
                    f"OR publishable_key = NULLIF((SELECT current_setting('{LOOKUP_SETTING}', true)), '')"
                ),
            )
        ]
        ordering = ["-created_at"]
        verbose_name = _("API key")

    def __str__(self) -> str:
        return f"{self.name} ({self.publishable_key})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    @property
    def livemode(self) -> bool:
        return self.mode == self.Mode.LIVE

    def has_scope(self, scope: str) -> bool:
        """Whether the key grants `scope` (`"<module>:read"` or `"<module>:write"`); a write
        scope implies the read scope of the same module, `"*"` grants everything."""
        granted = set(self.scopes or ())
        if "*" in granted or scope in granted:
            return True
        module, _sep, access = scope.partition(":")
        return access == "read" and f"{module}:write" in granted

    @classmethod
    def generate(cls, *, tenant, name: str, mode: str, created_by, scopes=("*",), rate_limit_per_minute=None, rolled_from=None) -> tuple["ApiKey", str]:
        """Create a key pair; returns the saved key and the secret key, which is not stored."""
        mode = cls.Mode(mode)
        secret = f"sk_{mode}_{_random(32)}"
        key = cls.objects.create(
            tenant=tenant,
            name=name,
            mode=mode,
            publishable_key=f"pk_{mode}_{_random(32)}",
            secret_prefix=secret[:PREFIX_LENGTH],
            secret_digest=digest(secret),
            created_by=created_by,
            scopes=sorted(set(scopes)),
            rate_limit_per_minute=rate_limit_per_minute,
            rolled_from=rolled_from,
        )
        return key, secret

    def matches(self, secret: str) -> bool:
        return secrets.compare_digest(self.secret_digest, digest(secret))

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
