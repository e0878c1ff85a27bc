"""Reads of appraisal data, always within one shop."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from modules.inventory.models import Item

from .models import AppraisalCertificate


def certificates_of(tenant, *, search: str = "", status: str = "") -> QuerySet[AppraisalCertificate]:
    """The shop's certificates, newest first; `search` matches number, SKU, item name, appraiser."""
    qs = AppraisalCertificate.objects.filter(tenant=tenant).select_related("item")
    if search:
        qs = qs.filter(
            Q(number__icontains=search) | Q(item__sku__icontains=search) | Q(item__name__icontains=search) | Q(appraiser_name__icontains=search)
        )
    if status:
        qs = qs.filter(status=status)
    return qs


def get_certificate(tenant, pk: int) -> AppraisalCertificate:
    """The shop's certificate `pk`; raises `AppraisalCertificate.DoesNotExist` otherwise."""
    return AppraisalCertificate.objects.select_related("item").get(tenant=tenant, pk=pk)


def appraisable_items(tenant) -> QuerySet[Item]:
    """Items a certificate may be issued for: the shop's own."""
    return Item.objects.filter(tenant=tenant).order_by("sku")


def summary(tenant, *, days: int = 30) -> dict:
    """`{"valid": int, "issued_recently": int, "valid_value": Decimal}`: certificates valid now,
    issued in the last `days` days, and the total appraised value of the valid ones."""
    qs = AppraisalCertificate.objects.filter(tenant=tenant)
    valid = qs.filter(status=AppraisalCertificate.Status.VALID)
    since = timezone.now() - datetime.timedelta(days=days)
    return {
        "valid": valid.count(),
        "issued_recently": qs.filter(issued_at__gte=since).count(),
        "valid_value": (valid.aggregate(total=Sum("appraised_value"))["total"] or Decimal("0")).quantize(Decimal("0.01")),
    }
