"""Filters of the rates API lists (django-filter)."""

from __future__ import annotations

import django_filters

from zargar.api.filters import BoolFilter, ShopFilterSet, datetime_range

from ..models import PriceQuote, Rate, RateAlert, RateSource
from ..units import Purity


class RateFilter(ShopFilterSet):
    purity = django_filters.ChoiceFilter(choices=Purity.choices)
    source = django_filters.ChoiceFilter(choices=RateSource.choices)
    effective_after, effective_before = datetime_range("effective_at")

    class Meta:
        model = Rate
        fields = []


class QuoteFilter(ShopFilterSet):
    purity = django_filters.ChoiceFilter(choices=Purity.choices)
    created_after, created_before = datetime_range("created_at")

    class Meta:
        model = PriceQuote
        fields = []


class AlertFilter(ShopFilterSet):
    purity = django_filters.ChoiceFilter(choices=Purity.choices)
    active = BoolFilter()

    class Meta:
        model = RateAlert
        fields = []
