"""Filters of the point-of-sale API lists (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from zargar.api.filters import BoolFilter, IdFilter, ShopFilterSet, TextFilter

from ..models import Sale, SaleReturn, SaleStatus


class SaleFilter(ShopFilterSet):
    q = TextFilter(method="search", help_text="Sale number, customer name or phone, or a SKU sold")
    status = django_filters.ChoiceFilter(choices=SaleStatus.choices)
    customer = IdFilter(field_name="customer_id")
    sold_from = django_filters.DateFilter(field_name="sold_on", lookup_expr="gte", help_text="First day (YYYY-MM-DD), in the shop's calendar")
    sold_to = django_filters.DateFilter(field_name="sold_on", lookup_expr="lte", help_text="Last day (YYYY-MM-DD)")

    class Meta:
        model = Sale
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(number__icontains=value) | Q(customer__full_name__icontains=value) | Q(customer__phone__icontains=value) | Q(lines__sku__iexact=value)
        ).distinct()


class SaleReturnFilter(ShopFilterSet):
    sale = IdFilter(field_name="sale_id")
    is_void = BoolFilter(help_text="true: voids of whole sales; false: returns")
    returned_from = django_filters.DateFilter(field_name="returned_on", lookup_expr="gte", help_text="YYYY-MM-DD")
    returned_to = django_filters.DateFilter(field_name="returned_on", lookup_expr="lte", help_text="YYYY-MM-DD")

    class Meta:
        model = SaleReturn
        fields = []
