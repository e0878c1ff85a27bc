"""Filters of the rates API lists (django-filter)."""

from __future__ import annotations

import django_filters

from zargar.api.filters import BoolFilter, DateTimeFilter, ShopFilterSet

from ..models import PriceQuote, Rate, RateAlert, RateSource
from ..units import Purity


class RateFilter(ShopFilterSet):
    purity = django_filters.ChoiceFilter(choices=Purity.choices)
    source = django_filters.ChoiceFilter(choices=RateSource.choices)
    effective_after = DateTimeFilter(field_name="effective_at", lookup_expr="gte", help_text="ISO 8601 date-time")
    effective_before = DateTimeFilter(field_name="effective_at", lookup_expr="lt", help_text="ISO 8601 date-time")

    class Meta:
        model = Rate
        fields = []


class QuoteFilter(ShopFilterSet):
    purity = django_filters.ChoiceFilter(choices=Purity.choices)
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte", help_text="ISO 8601 date-time")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt", help_text="ISO 8601 date-time")

    class Meta:
        model = PriceQuote
        fields = []


class AlertFilter(ShopFilterSet):
    purity = django_filters.ChoiceFilter(choices=Purity.choices)
    active = BoolFilter()

    class Meta:
        model = RateAlert
        fields = []
