"""Filters of the customers API lists (django-filter)."""

from __future__ import annotations


from zargar.api.filters import BoolFilter, DateTimeFilter, IdFilter, ShopFilterSet, TextFilter

from ..models import Customer, StoreCreditEntry
from ..selectors import _search_filter


class CustomerFilter(ShopFilterSet):
    q = TextFilter(method="search", help_text="Name, e-mail or phone digits (part of it)")
    marketing_consent = BoolFilter()
    has_credit = BoolFilter(method="credit", help_text="true: customers with store credit left")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte", help_text="ISO 8601 date-time")
    updated_after = DateTimeFilter(field_name="updated_at", lookup_expr="gte", help_text="ISO 8601 date-time")

    class Meta:
        model = Customer
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(_search_filter(value)) if value.strip() else queryset

    def credit(self, queryset, name, value):
        return queryset.filter(credit_balance__gt=0) if value else queryset.exclude(credit_balance__gt=0)


class CreditEntryFilter(ShopFilterSet):
    """Only `customer`: each entry's `balance_after` is a running sum over the customer's whole
    ledger, so filters that would drop some of their entries are not offered."""

    customer = IdFilter(field_name="customer_id", help_text="Only this customer's entries")

    class Meta:
        model = StoreCreditEntry
        fields = []
