"""Point-of-sale documents: sales with their lines, payments and old-gold exchange lines, and
returns against a sale with their lines and refunds.

Units: weights in grams (`Decimal`, 3 places); money in the shop's currency (`Tenant.currency`,
`Decimal`, 2 places — what the books store); percentages in percent (`Decimal("5")` = 5 %).
Every table is a `TenantModel` (row-level security per shop). Write only through `actions.py`.

Numbers: a completed sale gets "S-000001", a return "R-000001", from the shop's document
sequences (`zargar.core.sequences`, keys "pos.sale" and "pos.return"), taken in the same
transaction as the document. A rolled-back sale rolls
its number back too, so the numbers of a shop are sequential with no gaps. Drafts and held sales
have no number yet.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zargar.tenancy.models import TenantModel

ZERO = Decimal("0.00")


def money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=16, decimal_places=2, default=ZERO, **kwargs)


class SaleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    HELD = "held", _("Held")
    COMPLETED = "completed", _("Completed")
    PARTIALLY_RETURNED = "partially_returned", _("Partly returned")
    RETURNED = "returned", _("Returned")
    VOIDED = "voided", _("Voided")


#: Statuses of a sale that has been completed (numbered, stock taken, posted).
DONE_STATUSES = (SaleStatus.COMPLETED, SaleStatus.PARTIALLY_RETURNED, SaleStatus.RETURNED, SaleStatus.VOIDED)
#: Statuses of a cart that can still change.
OPEN_STATUSES = (SaleStatus.DRAFT, SaleStatus.HELD)


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    CARD = "card", _("Card")
    STORE_CREDIT = "store_credit", _("Store credit")
    OLD_GOLD = "old_gold", _("Old gold")


class Sale(TenantModel):
    """A sale: a cart while `draft`/`held`, a numbered document once `completed`.

    Totals (shop currency): `subtotal` is the lines' price before discount and tax, `discount`
    the discounts given, `tax` the VAT, `total = subtotal − discount + tax`. `old_gold_credit` is
    what the old gold taken in exchange was worth, `paid` the cash, card and store-credit
    payments, `balance_due = total − old_gold_credit − paid` what the customer still owes
    (recorded as a customer receivable; needs a customer). `cost` is the stock's cost (COGS).
    `idempotency_key` is unique per shop: completing again with the same key returns this sale.
    """

    number = models.CharField(_("number"), max_length=20, null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=SaleStatus.choices, default=SaleStatus.DRAFT)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("customer"))
    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("cashier"))
    currency = models.CharField(_("currency"), max_length=3)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, null=True, blank=True)
    subtotal = money_field(_("subtotal"))
    discount = money_field(_("discount"))
    tax = money_field(_("VAT"))
    total = money_field(_("total"))
    old_gold_credit = money_field(_("old gold credit"))
    paid = money_field(_("paid"))
    balance_due = money_field(_("balance owed"))
    cost = money_field(_("cost of goods"))
    refunded = money_field(_("refunded"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    sold_on = models.DateField(_("date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "number"], name="pos_sale_unique_number"),
            models.UniqueConstraint(fields=["tenant", "idempotency_key"], name="pos_sale_unique_idempotency_key"),
            models.CheckConstraint(condition=models.Q(balance_due__gte=0, total__gte=0, paid__gte=0, old_gold_credit__gte=0), name="pos_sale_non_negative"),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "held"]) | models.Q(number__isnull=False),
                name="pos_sale_done_has_number",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status", "-created_at"], name="pos_sale_status_idx")]
        ordering = ["-created_at", "-id"]
        verbose_name = _("sale")
        verbose_name_plural = _("sales")

    def __str__(self) -> str:
        return self.number or f"draft #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES


class SaleLine(TenantModel):
    """One line of a sale: `quantity` units of an item (a serialized piece: 1), from `lot` or
    first-in first-out. The price is a snapshot of `modules.rates.pricing.price_piece` for one
    unit (`breakdown`, Decimals as strings), at the live board sell rate or a locked `quote`.

    Line amounts are for all `quantity` units: `metal` (metal value), `making` (making charge +
    wastage + profit), `other` (stones and other fixed lines), `discount`, `tax` (VAT after the
    discount) and `line_total = metal + making + other − discount + tax`. `unit_cost` is the
    stock's cost of one unit (None when unknown). Weights are totals in grams.
    """

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("inventory.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    lot = models.ForeignKey("inventory.Lot", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lot"))
    quote = models.ForeignKey("rates.PriceQuote", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("quote"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    sku = models.CharField(_("SKU"), max_length=40)
    description = models.CharField(_("description"), max_length=200)
    karat = models.PositiveSmallIntegerField(_("karat"))
    gross_weight = models.DecimalField(_("gross weight (g)"), max_digits=12, decimal_places=3)
    net_weight = models.DecimalField(_("net weight (g)"), max_digits=12, decimal_places=3)
    rate_per_gram = models.DecimalField(_("rate per gram"), max_digits=24, decimal_places=6)
    breakdown = models.JSONField(default=dict)
    priced_at = models.DateTimeField(_("priced at"))
    unit_price = money_field(_("unit price"))
    metal = money_field(_("metal value"))
    making = money_field(_("making charge"))
    other = money_field(_("stones and other"))
    discount = money_field(_("discount"))
    tax = money_field(_("VAT"))
    line_total = money_field(_("line total"))
    unit_cost = models.DecimalField(_("unit cost"), max_digits=16, decimal_places=2, null=True, blank=True)
    returned_quantity = models.PositiveIntegerField(_("returned"), default=0)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="pos_saleline_quantity_positive"),
            models.CheckConstraint(condition=models.Q(returned_quantity__lte=models.F("quantity")), name="pos_saleline_returned_le_sold"),
        ]
        ordering = ["id"]
        verbose_name = _("sale line")
        verbose_name_plural = _("sale lines")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"

    @property
    def subtotal(self) -> Decimal:
        return self.metal + self.making + self.other

    @property
    def returnable_quantity(self) -> int:
        return self.quantity - self.returned_quantity


class OldGoldLine(TenantModel):
    """Old gold taken in exchange: `weight` grams at `fineness` (parts per thousand).

        fine weight = weight × fineness / 1000                                       (g)
        value       = R(fine weight × buy rate per gram of 24K (999) gold)
        deduction   = R(value × melting deduction % / 100)
        credit      = value − deduction

    `R` rounds half-up to the currency's minor unit. The credit pays for the sale; the metal
    goes to the old-gold stock account in the books.
    """

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="old_gold_lines")
    description = models.CharField(_("description"), max_length=120, blank=True)
    weight = models.DecimalField(_("weight (g)"), max_digits=12, decimal_places=3)
    fineness = models.PositiveSmallIntegerField(_("fineness (‰)"))
    deduction_percent = models.DecimalField(_("melting deduction %"), max_digits=5, decimal_places=2, default=Decimal("0"))
    rate_per_gram = models.DecimalField(_("buy rate per gram (24K)"), max_digits=24, decimal_places=6)
    fine_weight = models.DecimalField(_("fine weight (g)"), max_digits=12, decimal_places=4)
    value = money_field(_("value"))
    deduction = money_field(_("deduction"))
    credit = money_field(_("credit"))

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(condition=models.Q(weight__gt=0, fineness__gte=1, fineness__lte=1000), name="pos_oldgoldline_valid"),
        ]
        ordering = ["id"]
        verbose_name = _("old gold line")
        verbose_name_plural = _("old gold lines")


class SaleReturn(TenantModel):
    """A return against a completed sale ("R-000001"): the returned lines go back to stock and
    `total` (shop currency) is refunded by `refunds`. A void is a return of the whole sale."""

    number = models.CharField(_("number"), max_length=20)
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="returns")
    is_void = models.BooleanField(_("void"), default=False)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by"))
    total = money_field(_("total"))
    cost = money_field(_("cost of goods"))
    returned_on = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "number"], name="pos_salereturn_unique_number"),
        ]
        ordering = ["-created_at", "-id"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")

    def __str__(self) -> str:
        return self.number


class ReturnLine(TenantModel):
    """`quantity` units of a sale line taken back, with their share of the line's amounts."""

    sale_return = models.ForeignKey(SaleReturn, on_delete=models.CASCADE, related_name="lines")
    sale_line = models.ForeignKey(SaleLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField(_("quantity"))
    metal = money_field(_("metal value"))
    making = money_field(_("making charge"))
    other = money_field(_("stones and other"))
    discount = money_field(_("discount"))
    tax = money_field(_("VAT"))
    line_total = money_field(_("line total"))
    cost = money_field(_("cost"))

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="pos_returnline_quantity_positive"),
        ]
        ordering = ["id"]


class BalancePayment(TenantModel):
    """Money received later against a completed sale's balance owed ("P-000001", from the shop's
    document sequence "pos.payment"), split over one or more tenders (its `payments`).

    `amount` (shop currency, > 0) is the sum of its payments; `balance_after` what the customer
    still owes on the sale after it. `idempotency_key` is unique per shop: receiving again with
    the same key returns this record and writes nothing. Posted to the books as
    Dr cash / card clearing / customer store credit, Cr customer receivables (source = this).
    """

    number = models.CharField(_("number"), max_length=20)
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="balance_payments", verbose_name=_("sale"))
    amount = money_field(_("amount"))
    balance_after = money_field(_("balance owed after"))
    received_on = models.DateField(_("date"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("received by"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "number"], name="pos_balancepayment_unique_number"),
            models.UniqueConstraint(fields=["tenant", "idempotency_key"], name="pos_balancepayment_unique_key"),
            models.CheckConstraint(condition=models.Q(amount__gt=0, balance_after__gte=0), name="pos_balancepayment_amounts"),
        ]
        ordering = ["created_at", "id"]
        verbose_name = _("payment of a balance owed")
        verbose_name_plural = _("payments of balances owed")

    def __str__(self) -> str:
        return self.number


class Payment(TenantModel):
    """Money in for a sale (`sale_return` empty) or out for a return (a refund). `amount` is
    positive, in the shop's currency. An `old_gold` payment is the credit of the sale's old-gold
    lines; a customer's balance owed is not a payment (see `Sale.balance_due`). A payment made
    later against the balance owed belongs to a `BalancePayment` (`balance_payment`)."""

    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="payments")
    sale_return = models.ForeignKey(SaleReturn, on_delete=models.CASCADE, null=True, blank=True, related_name="refunds")
    balance_payment = models.ForeignKey(BalancePayment, on_delete=models.CASCADE, null=True, blank=True, related_name="payments")
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    amount = money_field(_("amount"))
    reference = models.CharField(_("reference"), max_length=80, blank=True, help_text=_("Card slip or terminal reference."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="pos_payment_amount_positive"),
        ]
        ordering = ["id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.method} {self.amount}"

    @property
    def is_refund(self) -> bool:
        return self.sale_return_id is not None
