"""Writes of appraisal data. Each takes the shop first, validates fully, and is atomic."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zargar.contract.registry import module_settings
from zargar.core.sequences import formatted

from .models import NUMBER_PREFIX, AppraisalCertificate


def next_certificate_number(tenant) -> str:
    """Reserve the shop's next certificate number, e.g. `"APR-000042"` (the core's per-shop
    document sequence). Must run inside the transaction that saves the certificate, so a
    failed save gives the number back."""
    return formatted(tenant, "appraisals.certificate", NUMBER_PREFIX)


@transaction.atomic
def issue_certificate(
    tenant,
    *,
    item,
    appraised_value: Decimal,
    appraiser_name: str,
    karat_verified: int,
    notes: str = "",
    valid_until: datetime.date | None = None,
) -> AppraisalCertificate:
    """Issue a certificate for `item` (an `inventory.Item` of `tenant`) and give it the shop's
    next number. `appraised_value` is in the shop's currency; `valid_until` defaults to today
    plus the shop's `validity_days` setting (365).

    Raises `ValidationError` (field → messages) for another shop's item, a negative value, an
    unknown karat or a validity date in the past; nothing is saved then and no number is used.
    """
    if item is None or item.tenant_id != tenant.pk:
        raise ValidationError({"item": _("Choose an item of this shop.")})
    today = timezone.localdate()
    if valid_until is None:
        valid_until = today + datetime.timedelta(days=int(module_settings(tenant, "appraisals")["validity_days"]))
    certificate = AppraisalCertificate(
        tenant=tenant,
        item=item,
        appraised_value=appraised_value,
        currency=tenant.currency,
        appraiser_name=(appraiser_name or "").strip(),
        karat_verified=karat_verified,
        notes=notes or "",
        valid_until=valid_until,
    )
    certificate.full_clean(exclude=["tenant", "item", "number", "currency"], validate_unique=False)
    if valid_until < today:
        raise ValidationError({"valid_until": _("The validity date cannot be in the past.")})
    certificate.number = next_certificate_number(tenant)
    certificate.save()
    return certificate


@transaction.atomic
def expire_certificates(tenant, *, today: datetime.date | None = None) -> int:
    """Mark the shop's valid certificates whose `valid_until` is before `today` as expired.
    Returns how many changed."""
    today = today or timezone.localdate()
    return AppraisalCertificate.objects.filter(
        tenant=tenant, status=AppraisalCertificate.Status.VALID, valid_until__lt=today
    ).update(status=AppraisalCertificate.Status.EXPIRED)
