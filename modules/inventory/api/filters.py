"""Filters of the inventory API lists (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from zargar.api.filters import AmountFilter, BoolFilter, DateTimeFilter, IdFilter, SearchFilter, ShopFilterSet, TextFilter, datetime_range

from ..models import Item, Karat, Lot, MovementKind, StockMovement, Tracking


class ItemFilter(ShopFilterSet):
    q = SearchFilter("sku", "name", "category", "tag", "huid")
    karat = django_filters.TypedChoiceFilter(choices=Karat.choices, coerce=int, help_text="Only items of this karat")
    tracking = django_filters.ChoiceFilter(choices=Tracking.choices, help_text="serialized pieces or lot items")
    category = TextFilter(lookup_expr="iexact")
    location = IdFilter(method="at_location", help_text="Only stock at this location id")
    in_stock = BoolFilter(method="stock", help_text="true: on hand only; false: sold out only")
    price_min = AmountFilter(field_name="price", lookup_expr="gte")
    price_max = AmountFilter(field_name="price", lookup_expr="lte")
    updated_after = DateTimeFilter(field_name="updated_at", lookup_expr="gte", help_text="ISO 8601 date-time")

    class Meta:
        model = Item
        fields = []

    def at_location(self, queryset, name, value):
        location = int(value)
        return queryset.filter(
            Q(tracking=Tracking.SERIALIZED, location_id=location) | Q(tracking=Tracking.LOT, lots__location_id=location, lots__quantity__gt=0)
        ).distinct()

    def stock(self, queryset, name, value):
        return queryset.filter(quantity__gt=0) if value else queryset.filter(quantity=0)


class LotFilter(ShopFilterSet):
    item = IdFilter(field_name="item_id")
    location = IdFilter(field_name="location_id")
    in_stock = BoolFilter(method="stock", help_text="true: lots with quantity on hand")

    class Meta:
        model = Lot
        fields = []

    def stock(self, queryset, name, value):
        return queryset.filter(quantity__gt=0) if value else queryset.filter(quantity=0)


class MovementFilter(ShopFilterSet):
    item = IdFilter(field_name="item_id")
    kind = django_filters.ChoiceFilter(choices=MovementKind.choices)
    location = IdFilter(field_name="location_id")
    created_after, created_before = datetime_range("created_at")

    class Meta:
        model = StockMovement
        fields = []
