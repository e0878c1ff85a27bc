"""Filters of the appraisal certificates list (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from zargar.api.filters import DateTimeFilter, IdFilter, ShopFilterSet, TextFilter

from ..models import AppraisalCertificate


class CertificateFilter(ShopFilterSet):
    q = TextFilter(method="search", help_text="Certificate number, SKU, item name or appraiser")
    status = django_filters.ChoiceFilter(choices=AppraisalCertificate.Status.choices)
    item = IdFilter(field_name="item_id")
    issued_after = DateTimeFilter(field_name="issued_at", lookup_expr="gte", help_text="ISO 8601 date-time")
    issued_before = DateTimeFilter(field_name="issued_at", lookup_expr="lt", help_text="ISO 8601 date-time")

    class Meta:
        model = AppraisalCertificate
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(item__sku__icontains=value) | Q(item__name__icontains=value) | Q(appraiser_name__icontains=value)
        )
