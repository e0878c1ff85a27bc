"""Inventory items (first cut: one row per stock line, quantity on the row)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zargar.tenancy.models import TenantModel


class Karat(models.IntegerChoices):
    """Gold purity in karats; fineness (parts per thousand) = karat / 24 × 1000."""

    K24 = 24, "24K (999)"
    K22 = 22, "22K (916)"
    K21 = 21, "21K (875)"
    K18 = 18, "18K (750)"
    K14 = 14, "14K (585)"
    K10 = 10, "10K (417)"


class Item(TenantModel):
    """A stock item of a shop.

    Weights are in grams (3 decimals); `net_weight` is the metal weight without stones and is
    never above `gross_weight`. `price` is a Decimal in the shop's currency (`Tenant.currency`),
    2 decimals. SKUs are unique within a shop.
    """

    sku = models.CharField(_("SKU"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=80, blank=True)
    karat = models.PositiveSmallIntegerField(_("karat"), choices=Karat.choices, default=Karat.K18)
    gross_weight = models.DecimalField(_("gross weight (g)"), max_digits=10, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))])
    net_weight = models.DecimalField(_("net weight (g)"), max_digits=10, decimal_places=3, validators=[MinValueValidator(Decimal("0.001"))])
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "sku"], name="inventory_item_unique_sku"),
            models.CheckConstraint(condition=models.Q(net_weight__lte=models.F("gross_weight")), name="inventory_item_net_le_gross"),
        ]
        ordering = ["sku"]
        verbose_name = _("item")
        verbose_name_plural = _("items")

    def __str__(self) -> str:
        return f"{self.sku} — {self.name}"

    @property
    def fineness(self) -> int:
        """Parts per thousand of pure gold, from the karat (24K = 999 by trade convention)."""
        return 999 if self.karat == 24 else round(self.karat * 1000 / 24)

    def clean(self) -> None:
        if self.gross_weight is not None and self.net_weight is not None and self.net_weight > self.gross_weight:
            raise ValidationError({"net_weight": _("Net weight cannot be more than the gross weight.")})
