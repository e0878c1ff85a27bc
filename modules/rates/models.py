"""Board rates (append-only history), rate alerts and their triggers, and locked price quotes.

Money is `Decimal` in the shop's currency (`Tenant.currency`, copied onto each row when it is
written). A rate is stored as entered (per `unit`) and normalised per gram (6 places, rounded
half-up: see `modules.rates.units`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zargar.tenancy.models import TenantModel

from .units import Purity, Unit


class RateSource(models.TextChoices):
    MANUAL = "manual", _("Entered by staff")
    PROVIDER = "provider", _("Rate feed")


class Side(models.TextChoices):
    BUY = "buy", _("Buy")
    SELL = "sell", _("Sell")


class Direction(models.TextChoices):
    ABOVE = "above", _("At or above")
    BELOW = "below", _("At or below")


class Rate(TenantModel):
    """One board rate of one purity at one moment: append-only.

    `buy` is what the shop pays for metal of this purity, `sell` what it charges, both per
    `unit` as entered; `buy_per_gram` / `sell_per_gram` are the same normalised per gram. The
    current rate of a purity is the row with the latest `effective_at` not in the future (ties:
    the later row). Rows are never updated (a database trigger refuses UPDATE) nor deleted
    one by one; they go only when the shop is deleted.
    """

    purity = models.CharField(_("purity"), max_length=20, choices=Purity.choices)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, default=Unit.GRAM)
    buy = models.DecimalField(_("buy rate"), max_digits=20, decimal_places=4)
    sell = models.DecimalField(_("sell rate"), max_digits=20, decimal_places=4)
    buy_per_gram = models.DecimalField(_("buy rate per gram"), max_digits=24, decimal_places=6)
    sell_per_gram = models.DecimalField(_("sell rate per gram"), max_digits=24, decimal_places=6)
    currency = models.CharField(_("currency"), max_length=3)
    effective_at = models.DateTimeField(_("effective at"))
    source = models.CharField(_("source"), max_length=16, choices=RateSource.choices, default=RateSource.MANUAL)
    provider_key = models.CharField(_("provider"), max_length=40, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("entered by"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(condition=models.Q(buy__gt=0, sell__gt=0), name="rates_rate_positive"),
            models.CheckConstraint(condition=models.Q(buy__lte=models.F("sell")), name="rates_rate_buy_le_sell"),
        ]
        indexes = [models.Index(fields=["tenant", "purity", "-effective_at", "-id"], name="rates_rate_current_idx")]
        ordering = ["-effective_at", "-id"]
        verbose_name = _("rate")
        verbose_name_plural = _("rates")

    def __str__(self) -> str:
        return f"{self.purity} {self.buy}/{self.sell} {self.currency} per {self.unit} @ {self.effective_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("Rates are history: record a new rate instead of changing one."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Rates are history and cannot be deleted."))

    def per_gram(self, side: str):
        return self.buy_per_gram if side == Side.BUY else self.sell_per_gram


class RateAlert(TenantModel):
    """Notify the shop's owners and admins when a purity's buy or sell rate crosses a threshold.

    `threshold` is per `unit` as entered; `threshold_per_gram` the same per gram. The alert
    fires when a newly recorded *current* rate reaches the threshold from the other side
    (or when the first rate of the purity is already there), so it fires once per crossing.
    """

    purity = models.CharField(_("purity"), max_length=20, choices=Purity.choices)
    side = models.CharField(_("side"), max_length=4, choices=Side.choices, default=Side.SELL)
    direction = models.CharField(_("direction"), max_length=5, choices=Direction.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices, default=Unit.GRAM)
    threshold_per_gram = models.DecimalField(_("threshold per gram"), max_digits=24, decimal_places=6)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_triggered_at = models.DateTimeField(_("last triggered"), null=True, blank=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(condition=models.Q(threshold__gt=0), name="rates_ratealert_threshold_positive"),
        ]
        ordering = ["purity", "side", "direction", "threshold"]
        verbose_name = _("rate alert")
        verbose_name_plural = _("rate alerts")

    def __str__(self) -> str:
        return f"{self.purity} {self.side} {self.direction} {self.threshold}/{self.unit}"


class RateAlertTrigger(TenantModel):
    """One firing of an alert: the rate that crossed it and who was emailed."""

    alert = models.ForeignKey(RateAlert, on_delete=models.CASCADE, related_name="triggers")
    rate = models.ForeignKey(Rate, on_delete=models.CASCADE, related_name="+")
    value_per_gram = models.DecimalField(max_digits=24, decimal_places=6)
    triggered_at = models.DateTimeField(auto_now_add=True)
    recipients = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [*TenantModel.Meta.constraints]
        ordering = ["-triggered_at", "-id"]


class PriceQuote(TenantModel):
    """A price given to a customer, holding the rate it used until `expires_at`.

    `parameters` are the piece's inputs and `breakdown` every line of the price
    (`pricing.PriceBreakdown.as_json()`: Decimals as strings); `total` in `currency`.
    """

    reference = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    rate = models.ForeignKey(Rate, on_delete=models.PROTECT, related_name="+", verbose_name=_("rate used"))
    purity = models.CharField(_("purity"), max_length=20, choices=Purity.choices)
    net_weight = models.DecimalField(_("net weight (g)"), max_digits=12, decimal_places=3)
    parameters = models.JSONField(default=dict)
    breakdown = models.JSONField(default=dict)
    total = models.DecimalField(_("total"), max_digits=24, decimal_places=4)
    currency = models.CharField(_("currency"), max_length=3)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(_("valid until"))

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("created_at")), name="rates_pricequote_expiry_after_creation"),
        ]
        ordering = ["-created_at", "-id"]
        verbose_name = _("price quote")
        verbose_name_plural = _("price quotes")

    def __str__(self) -> str:
        return f"{self.reference} {self.total} {self.currency}"

    def is_valid_at(self, when) -> bool:
        return when < self.expires_at
