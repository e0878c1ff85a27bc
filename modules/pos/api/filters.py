"""Filters of the point-of-sale API lists (django-filter)."""

from __future__ import annotations

import django_filters

from zargar.api.filters import BoolFilter, IdFilter, SearchFilter, ShopFilterSet, date_range

from ..models import Sale, SaleReturn, SaleStatus


class SaleFilter(ShopFilterSet):
    q = SearchFilter(
        "number", "customer__full_name", "customer__phone", "=lines__sku", distinct=True,
        help_text="Sale number, customer name or phone, or a SKU sold",
    )
    status = django_filters.ChoiceFilter(choices=SaleStatus.choices)
    customer = IdFilter(field_name="customer_id")
    sold_from, sold_to = date_range("sold_on", help_text="in the shop's calendar")

    class Meta:
        model = Sale
        fields = []


class SaleReturnFilter(ShopFilterSet):
    sale = IdFilter(field_name="sale_id")
    is_void = BoolFilter(help_text="true: voids of whole sales; false: returns")
    returned_from, returned_to = date_range("returned_on")

    class Meta:
        model = SaleReturn
        fields = []
