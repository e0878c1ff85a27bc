"""Inventory: branches and locations, items (serialized pieces or lot-tracked designs), lots,
stones, and the append-only stock movements that stock is derived from.

Units: weights in grams (`Decimal`, 3 places); money in the shop's currency (`Tenant.currency`,
`Decimal`, 2 places). Every table is a `TenantModel` (row-level security per shop).

Stock is the sum of `StockMovement.quantity` (and of its weight deltas). Each stock row keeps a
cached on-hand that the actions in `actions.py` update in the same transaction as the movement
insert: `Item.quantity` (a serialized piece: 0 or 1; a lot-tracked item: the total over its lots)
and `Lot.quantity` / `Lot.gross_weight` / `Lot.net_weight`. `selectors.audit_stock` compares the
two.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from zargar.tenancy.models import TenantModel

GRAM = Decimal("0.001")


class Karat(models.IntegerChoices):
    """Gold purity in karats; fineness (parts per thousand) = karat / 24 × 1000."""

    K24 = 24, "24K (999)"
    K22 = 22, "22K (916)"
    K21 = 21, "21K (875)"
    K18 = 18, "18K (750)"
    K14 = 14, "14K (585)"
    K10 = 10, "10K (417)"


class Tracking(models.TextChoices):
    SERIALIZED = "serialized", _("Serialized piece")
    LOT = "lot", _("Lot (quantity)")


class MakingMode(models.TextChoices):
    """How the making charge of a piece is given (see `modules.rates.pricing`)."""

    PERCENT = "percent", _("Percent of the metal value")
    PER_GRAM = "per_gram", _("Amount per gram")
    FIXED = "fixed", _("Fixed amount")


class LocationKind(models.TextChoices):
    SHOWCASE = "showcase", _("Showcase")
    SAFE = "safe", _("Safe")
    WORKSHOP = "workshop", _("Workshop")
    OTHER = "other", _("Other")


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    SALE = "sale", _("Sale")
    RETURN = "return", _("Return")
    ADJUSTMENT = "adjustment", _("Adjustment")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")


#: Kinds that add stock (quantity > 0) and kinds that remove it (quantity < 0); an adjustment
#: may go either way (never 0).
INBOUND_KINDS = (MovementKind.RECEIPT, MovementKind.RETURN, MovementKind.TRANSFER_IN)
OUTBOUND_KINDS = (MovementKind.SALE, MovementKind.TRANSFER_OUT)


class Branch(TenantModel):
    """A shop's branch (a physical store). Every shop has a default branch "Main"."""

    name = models.CharField(_("name"), max_length=80)
    code = models.CharField(_("code"), max_length=12, help_text=_("Short code, unique in the shop, e.g. MAIN."))
    address = models.TextField(_("address"), blank=True)
    is_default = models.BooleanField(_("default branch"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "code"], name="inventory_branch_unique_code"),
            models.UniqueConstraint(fields=["tenant"], condition=models.Q(is_default=True), name="inventory_branch_one_default"),
        ]
        ordering = ["-is_default", "name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self) -> str:
        return self.name


class Location(TenantModel):
    """A place where stock is kept in a branch: a showcase, the safe, the workshop."""

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="locations", verbose_name=_("branch"))
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=16, choices=LocationKind.choices, default=LocationKind.SHOWCASE)
    is_default = models.BooleanField(_("default location"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "branch", "name"], name="inventory_location_unique_name"),
            models.UniqueConstraint(fields=["tenant"], condition=models.Q(is_default=True), name="inventory_location_one_default"),
        ]
        ordering = ["-is_default", "branch__name", "name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return f"{self.branch.name} / {self.name}" if self.branch_id else self.name


class Item(TenantModel):
    """A stock item of a shop: a serialized piece or a lot-tracked design.

    - `tracking = serialized`: one physical piece with its own `tag` (barcode, unique in the
      shop; "ZG" + 6 digits when not given), optional hallmark `huid` (unique in the shop), its
      `location`, and `quantity` 0 (not in stock) or 1 (on hand). Weights are the piece's.
    - `tracking = lot`: a design sold by quantity; stock is held in `Lot`s; `quantity` is the
      total on hand over its lots and the weights are those of one unit (used as the default
      when a lot is received without weights).

    Weights in grams (3 decimals), `net_weight` (metal only) ≤ `gross_weight`. `price` is the
    sale price in the shop's currency (2 decimals). Making-charge settings (`making_mode`,
    `making_value`, `wastage_percent`) are what `modules.rates.pricing.price_piece` uses; with
    `priced_from_rate` set, the piece is re-priced whenever the board rate of its purity changes.
    `quantity` is a cache of the movements: change it only through `actions`.
    """

    sku = models.CharField(_("SKU"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=80, blank=True)
    karat = models.PositiveSmallIntegerField(_("karat"), choices=Karat.choices, default=Karat.K18)
    tracking = models.CharField(_("tracking"), max_length=12, choices=Tracking.choices, default=Tracking.SERIALIZED)
    tag = models.CharField(_("tag"), max_length=40, null=True, blank=True, help_text=_("Barcode of a serialized piece, unique in the shop. Left empty, one is generated (ZG…)."))
    huid = models.CharField(_("hallmark / HUID"), max_length=40, null=True, blank=True, help_text=_("Hallmark unique ID, if the piece has one."))
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("location"))
    gross_weight = models.DecimalField(_("gross weight (g)"), max_digits=10, decimal_places=3, validators=[MinValueValidator(GRAM)])
    net_weight = models.DecimalField(_("net weight (g)"), max_digits=10, decimal_places=3, validators=[MinValueValidator(GRAM)])
    quantity = models.PositiveIntegerField(_("quantity"), default=0)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    making_mode = models.CharField(_("making charge mode"), max_length=12, choices=MakingMode.choices, default=MakingMode.PERCENT)
    making_value = models.DecimalField(_("making charge"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    wastage_percent = models.DecimalField(_("wastage %"), max_digits=6, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    priced_from_rate = models.BooleanField(_("price from the board rate"), default=False, help_text=_("Re-price this piece whenever the rate of its purity changes."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "sku"], name="inventory_item_unique_sku"),
            models.UniqueConstraint(fields=["tenant", "tag"], name="inventory_item_unique_tag"),
            models.UniqueConstraint(fields=["tenant", "huid"], name="inventory_item_unique_huid"),
            models.CheckConstraint(condition=models.Q(net_weight__lte=models.F("gross_weight")), name="inventory_item_net_le_gross"),
            models.CheckConstraint(
                condition=models.Q(tracking="lot", tag__isnull=True) | models.Q(tracking="serialized", quantity__lte=1, tag__isnull=False),
                name="inventory_item_tracking_rules",
            ),
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

    @property
    def is_serialized(self) -> bool:
        return self.tracking == Tracking.SERIALIZED

    @property
    def barcode_value(self) -> str:
        """What the label's barcode carries: the tag of a piece, the SKU of a lot item."""
        return self.tag or self.sku

    def clean(self) -> None:
        if self.gross_weight is not None and self.net_weight is not None and self.net_weight > self.gross_weight:
            raise ValidationError({"net_weight": _("Net weight cannot be more than the gross weight.")})

    def save(self, *args, **kwargs):
        # A serialized piece always has a tag: generate one when none was given.
        if self.tracking == Tracking.SERIALIZED and not self.tag:
            from .actions import next_tag

            self.tag = next_tag(self.tenant_id)
        if self.tracking == Tracking.LOT:
            self.tag = None
        self.huid = self.huid or None
        super().save(*args, **kwargs)


class StoneLine(TenantModel):
    """A kind of stone set in a piece: `count` stones of `carat_weight` carats in total, worth
    `value` (shop currency) — added to the piece's price as a fixed line."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="stones", verbose_name=_("item"))
    stone_type = models.CharField(_("stone"), max_length=60)
    count = models.PositiveIntegerField(_("count"), default=1, validators=[MinValueValidator(1)])
    carat_weight = models.DecimalField(_("carat weight"), max_digits=8, decimal_places=3, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(condition=models.Q(count__gte=1, carat_weight__gte=0, value__gte=0), name="inventory_stoneline_non_negative"),
        ]
        ordering = ["id"]
        verbose_name = _("stone line")
        verbose_name_plural = _("stone lines")

    def __str__(self) -> str:
        return f"{self.count} × {self.stone_type} ({self.carat_weight} ct)"


class Lot(TenantModel):
    """Stock of a lot-tracked item at one location: `quantity` units weighing `gross_weight` /
    `net_weight` grams in total (caches of the lot's movements). A lot moved in part to another
    location continues there as a lot with the same number."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="lots", verbose_name=_("item"))
    lot_number = models.CharField(_("lot number"), max_length=40)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="lots", verbose_name=_("location"))
    quantity = models.PositiveIntegerField(_("quantity"), default=0)
    gross_weight = models.DecimalField(_("gross weight (g)"), max_digits=12, decimal_places=3, default=Decimal("0"))
    net_weight = models.DecimalField(_("net weight (g)"), max_digits=12, decimal_places=3, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "item", "lot_number", "location"], name="inventory_lot_unique_number"),
            models.CheckConstraint(
                condition=models.Q(gross_weight__gte=0, net_weight__gte=0, net_weight__lte=models.F("gross_weight")),
                name="inventory_lot_weights",
            ),
        ]
        ordering = ["item__sku", "lot_number", "id"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")

    def __str__(self) -> str:
        return f"{self.lot_number} ({self.quantity})"


class AppendOnlyError(ValidationError):
    """A stock movement was to be changed or deleted: movements are history."""


class StockMovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(_("Stock movements are history and cannot be changed; record a new movement."))

    def delete(self):
        raise AppendOnlyError(_("Stock movements are history and cannot be deleted; record a new movement."))


class StockMovement(TenantModel):
    """One change of stock: append-only (no UPDATE, no DELETE — model and database trigger).

    `quantity` is the signed change in units (receipt, return, transfer in > 0; sale, transfer
    out < 0; adjustment either way, never 0); `gross_weight` / `net_weight` are the signed
    changes in grams. `unit_cost` is what one unit cost (shop currency; receipts). The source
    document is `document_type` + `document_id` (a model row) and/or the free text
    `document` (e.g. "Invoice 1042"). `batch` groups the movements written together (the lines
    of one sale, the two halves of a transfer). `actor` may become NULL when that user is
    deleted — the only change the database allows.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="movements", verbose_name=_("item"))
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="movements", verbose_name=_("lot"))
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location"))
    quantity = models.IntegerField(_("quantity change"))
    gross_weight = models.DecimalField(_("gross weight change (g)"), max_digits=12, decimal_places=3)
    net_weight = models.DecimalField(_("net weight change (g)"), max_digits=12, decimal_places=3)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=2, null=True, blank=True)
    document_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    document_id = models.CharField(max_length=64, blank=True)
    document = models.CharField(_("document"), max_length=120, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    batch = models.UUIDField(_("batch"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StockMovementQuerySet.as_manager()

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=[k.value for k in INBOUND_KINDS], quantity__gt=0)
                    | models.Q(kind__in=[k.value for k in OUTBOUND_KINDS], quantity__lt=0)
                    | (models.Q(kind=MovementKind.ADJUSTMENT.value) & ~models.Q(quantity=0))
                ),
                name="inventory_stockmovement_sign",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "item", "created_at"], name="inventory_mv_item_idx"),
            models.Index(fields=["tenant", "created_at"], name="inventory_mv_time_idx"),
        ]
        ordering = ["-created_at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity:+d} of item {self.item_id}"

    @property
    def document_label(self) -> str:
        if self.document:
            return self.document
        if self.document_type_id:
            return f"{self.document_type.app_label}.{self.document_type.model} #{self.document_id}"
        return ""

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(_("Stock movements are history and cannot be changed; record a new movement."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("Stock movements are history and cannot be deleted; record a new movement."))
