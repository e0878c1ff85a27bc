from __future__ import annotations

from rest_framework import serializers

from ..models import Item


class ItemSerializer(serializers.ModelSerializer):
    """An inventory item. Weights in grams (string decimals, 3 places); price in the shop's
    currency (string decimal, 2 places)."""

    class Meta:
        model = Item
        fields = ["id", "sku", "name", "category", "karat", "gross_weight", "net_weight", "quantity", "price", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
