from __future__ import annotations

from rest_framework import serializers

from ..models import Item, Karat


class ItemSerializer(serializers.ModelSerializer):
    """An inventory item. Weights in grams (string decimals, 3 places, at least 0.001;
    `net_weight` ≤ `gross_weight`); `karat` one of 24, 22, 21, 18, 14, 10; price in the shop's
    currency (string decimal, 2 places, not negative). SKUs are unique within a shop."""

    class Meta:
        model = Item
        fields = ["id", "sku", "name", "category", "karat", "gross_weight", "net_weight", "quantity", "price", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class ItemFilterSerializer(serializers.Serializer):
    """Query parameters of the item list."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="Search in SKU, name and category (case-insensitive)")
    karat = serializers.ChoiceField(required=False, choices=Karat.choices, help_text="Only items of this karat")
