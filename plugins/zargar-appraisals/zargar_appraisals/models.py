"""Appraisal certificates: a shop's signed statement of an item's verified karat and value."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from modules.inventory.models import Karat
from zargar.tenancy.models import TenantModel

NUMBER_PREFIX = "APR-"


class AppraisalCertificate(TenantModel):
    """An appraisal certificate for one inventory item of the shop.

    `number` is `APR-` and six or more digits, sequential per shop (`APR-000001`, …), assigned
    by `actions.issue_certificate` and unique within the shop. `appraised_value` is a Decimal
    in `currency`, the shop's ISO 4217 currency when the certificate was issued (2 decimals).
    `karat_verified` is the karat the appraiser found (it may differ from the item's record).
    A certificate is valid until `valid_until` (a date); after that the daily task marks it
    `expired`. Certificates are documents: never edited, never deleted.
    """

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        EXPIRED = "expired", _("Expired")

    item = models.ForeignKey("inventory.Item", on_delete=models.PROTECT, related_name="appraisals", verbose_name=_("item"))
    number = models.CharField(_("certificate number"), max_length=20, editable=False)
    appraised_value = models.DecimalField(
        _("appraised value"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(_("currency"), max_length=3, editable=False)
    appraiser_name = models.CharField(_("appraiser"), max_length=120)
    karat_verified = models.PositiveSmallIntegerField(_("karat verified"), choices=Karat.choices)
    notes = models.TextField(_("notes"), blank=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.VALID, editable=False)

    class Meta:
        constraints = [
            *TenantModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "number"], name="appraisals_certificate_unique_number"),
            models.CheckConstraint(condition=models.Q(appraised_value__gte=0), name="appraisals_certificate_value_not_negative"),
        ]
        ordering = ["-issued_at", "-id"]
        verbose_name = _("appraisal certificate")
        verbose_name_plural = _("appraisal certificates")

    def __str__(self) -> str:
        return self.number
