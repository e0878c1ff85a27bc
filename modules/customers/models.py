"""Customers of a shop, their store-credit ledger and their activity (purchase history).

Money is `Decimal` in the shop's currency (`Tenant.currency`, copied onto each ledger row when it
is written), 2 decimal places at most (fewer for currencies without minor units).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from zargar.tenancy.models import TenantModel

#: Digits and places of money columns: up to 10^16 in the shop currency (IRR-sized amounts fit).
MONEY_DIGITS = 18
MONEY_PLACES = 2


class Customer(TenantModel):
    """A customer of one shop.

    `phone` is stored normalised (E.164 such as `+989123456789` when it can be parsed, else its
    digits; see `modules.customers.phones`) and `email` lower-cased; each is unique within the shop
    when set (the same phone may belong to customers of different shops). `national_id` is
    free text (no format is imposed: it differs by country). Write through `actions`, which
    normalise and validate; read through `selectors`.
    """

    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    national_id = models.CharField(_("national ID"), max_length=32, blank=True)
    address = models.TextField(_("address"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    marketing_consent = models.BooleanField(
        _("agrees to marketing messages"), default=False, help_text=_("Only customers who agreed may be sent offers and news.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "phone"], condition=~models.Q(phone=""), name="customers_customer_unique_phone"
            ),
            models.UniqueConstraint(
                fields=["tenant", "email"], condition=~models.Q(email=""), name="customers_customer_unique_email"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "full_name"], name="customers_customer_name_idx")]
        ordering = ["full_name", "id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.full_name


class CreditKind(models.TextChoices):
    """Why a store-credit entry was written. Issue and refund add credit, redeem takes it,
    an adjustment (admins, with a reason) corrects it either way."""

    ISSUE = "issue", _("Issued")
    REDEEM = "redeem", _("Redeemed")
    ADJUSTMENT = "adjustment", _("Adjustment")
    REFUND = "refund", _("Refund to credit")


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk `update()` and `delete()` are refused: ledger rows are never changed or removed."""

    def update(self, **kwargs):
        raise ValidationError(_("Store-credit entries cannot be changed; write a new entry instead."))

    def delete(self):
        raise ValidationError(_("Store-credit entries cannot be deleted; write a new entry instead."))


class StoreCreditEntry(TenantModel):
    """One movement of a customer's store credit: append-only.

    `amount` is signed, in `currency` (the shop's at the time): positive for `issue` and
    `refund`, negative for `redeem`, either sign (never zero) for `adjustment`. A customer's
    balance is the sum of their entries and never goes below zero (`actions` lock the customer
    row while they check it). `reference_type` + `reference_id` name the document behind the
    entry (a sale, a return, …), `reference_text` a free-text reference (receipt number).
    `actor` is who wrote it (kept as NULL if that user is later deleted).

    Rows cannot be updated or deleted: `save()` of an existing row, `delete()` and the queryset's
    `update()` / `delete()` raise `ValidationError`, and database triggers (migration 0001) refuse
    UPDATE (except `actor_id` becoming NULL) and DELETE (except when the shop is scheduled for
    deletion).
    """

    customer = models.ForeignKey(Customer, on_delete=models.RESTRICT, related_name="credit_entries", verbose_name=_("customer"))
    kind = models.CharField(_("kind"), max_length=16, choices=CreditKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES)
    currency = models.CharField(_("currency"), max_length=3)
    reference_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("document type")
    )
    reference_id = models.CharField(_("document id"), max_length=64, blank=True)
    reference = GenericForeignKey("reference_type", "reference_id")
    reference_text = models.CharField(_("reference"), max_length=120, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.CheckConstraint(
                condition=(
                    models.Q(kind__in=["issue", "refund"], amount__gt=0)
                    | models.Q(kind="redeem", amount__lt=0)
                    | (models.Q(kind="adjustment") & ~models.Q(amount=0))
                ),
                name="customers_storecreditentry_amount_sign",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "customer", "id"], name="customers_credit_customer_idx")]
        ordering = ["-created_at", "-id"]
        verbose_name = _("store-credit entry")
        verbose_name_plural = _("store-credit entries")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency} ({self.customer_id})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("Store-credit entries cannot be changed; write a new entry instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Store-credit entries cannot be deleted; write a new entry instead."))


class ActivityKind(models.TextChoices):
    SALE = "sale", _("Sale")
    RETURN = "return", _("Return")
    REPAIR = "repair", _("Repair")
    ORDER = "order", _("Custom order")
    BUYBACK = "buyback", _("Old gold bought")
    OTHER = "other", _("Other")


class CustomerActivity(TenantModel):
    """One event of a customer's history, written by another module (`actions.record_activity`).

    Model-agnostic: the document is named by `reference_type` + `reference_id` (any model, e.g.
    a POS sale) or by `reference_text`. `amount` (signed, shop currency, optional) is what the
    document was worth to the customer — a sale's total, a return's refund as a negative.
    `occurred_at` is when it happened, `summary` one line shown on the customer's page.
    One row per (document, kind): recording the same document again returns the first row.
    """

    customer = models.ForeignKey(Customer, on_delete=models.RESTRICT, related_name="activities", verbose_name=_("customer"))
    kind = models.CharField(_("kind"), max_length=16, choices=ActivityKind.choices)
    reference_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("document type")
    )
    reference_id = models.CharField(_("document id"), max_length=64, blank=True)
    reference = GenericForeignKey("reference_type", "reference_id")
    reference_text = models.CharField(_("reference"), max_length=120, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    summary = models.CharField(_("summary"), max_length=200)
    occurred_at = models.DateTimeField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "reference_type", "reference_id", "kind"],
                condition=models.Q(reference_type__isnull=False),
                name="customers_activity_unique_document",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "customer", "-occurred_at"], name="customers_activity_cust_idx")]
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("customer activity")
        verbose_name_plural = _("customer activities")

    def __str__(self) -> str:
        return f"{self.kind}: {self.summary}"
