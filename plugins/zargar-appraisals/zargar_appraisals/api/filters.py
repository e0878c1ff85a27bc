"""Filters of the appraisal certificates list (django-filter)."""

from __future__ import annotations

import django_filters

from zargar.api.filters import IdFilter, SearchFilter, ShopFilterSet, datetime_range

from ..models import AppraisalCertificate


class CertificateFilter(ShopFilterSet):
    q = SearchFilter("number", "item__sku", "item__name", "appraiser_name", help_text="Certificate number, SKU, item name or appraiser")
    status = django_filters.ChoiceFilter(choices=AppraisalCertificate.Status.choices)
    item = IdFilter(field_name="item_id")
    issued_after, issued_before = datetime_range("issued_at")

    class Meta:
        model = AppraisalCertificate
        fields = []
