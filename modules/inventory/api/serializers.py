from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Branch, Item, Karat, Location, Lot, MakingMode, MovementKind, StockMovement, StoneLine, Tracking


class StoneSerializer(serializers.ModelSerializer):
    """A kind of stone in a piece: `count` stones, `carat_weight` carats in total, `value` in the
    shop's currency."""

    class Meta:
        model = StoneLine
        fields = ["stone_type", "count", "carat_weight", "value"]


class BranchSerializer(serializers.ModelSerializer):
    """A branch (shop floor) of the shop with the ids of its stock locations."""

    locations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Branch
        fields = ["id", "name", "code", "is_default", "locations", "created_at"]


class LocationSerializer(serializers.ModelSerializer):
    branch = serializers.CharField(source="branch.name", read_only=True)
    branch_code = serializers.CharField(source="branch.code", read_only=True)

    class Meta:
        model = Location
        fields = ["id", "name", "kind", "branch", "branch_code", "is_default"]


class ItemSerializer(serializers.ModelSerializer):
    """An inventory item. Weights in grams (string decimals, 3 places, at least 0.001;
    `net_weight` ≤ `gross_weight`); `karat` one of 24, 22, 21, 18, 14, 10; price in the shop's
    currency (string decimal, 2 places, not negative). SKUs are unique within a shop, and so are
    tags and hallmark IDs (`huid`). `tracking` is `serialized` (one piece, with a `tag`,
    generated "ZG…" when not given) or `lot` (quantity in lots); left out, it is serialized for
    a quantity of 0 or 1 and lot for more. `quantity` is the stock on hand: on create it is the
    opening stock (received at `location`, default: the shop's default location); afterwards it
    changes only through `/api/v1/inventory/stock/` (receive, adjust, transfer) and sales.
    `stones` replaces the piece's stone lines when sent."""

    tracking = serializers.ChoiceField(choices=Tracking.choices, required=False)
    tag = serializers.CharField(max_length=40, required=False, allow_null=True, allow_blank=True)
    huid = serializers.CharField(max_length=40, required=False, allow_null=True, allow_blank=True)
    quantity = serializers.IntegerField(required=False, min_value=0, default=0)
    location = serializers.PrimaryKeyRelatedField(queryset=Location.objects.all(), required=False, allow_null=True, help_text="Location id of the opening stock (create only)")
    stones = StoneSerializer(many=True, required=False)
    making_mode = serializers.ChoiceField(choices=MakingMode.choices, required=False)

    class Meta:
        model = Item
        fields = [
            "id", "sku", "name", "category", "karat", "tracking", "tag", "huid", "location",
            "gross_weight", "net_weight", "quantity", "price", "making_mode", "making_value",
            "wastage_percent", "priced_from_rate", "stones", "created_at", "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def __init__(self, *args, tenant=None, **kwargs):
        super().__init__(*args, **kwargs)
        if tenant is not None:
            self.fields["location"].queryset = Location.objects.filter(tenant=tenant)
        if self.instance is not None and not isinstance(self.instance, (list, tuple)) and hasattr(self.instance, "pk"):
            self.fields["quantity"].default = serializers.empty
            self.fields["quantity"].required = False


class ItemFilterSerializer(serializers.Serializer):
    """Query parameters of the item list."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="Search in SKU, name, category, tag and HUID (case-insensitive)")
    karat = serializers.ChoiceField(required=False, choices=Karat.choices, help_text="Only items of this karat")
    tracking = serializers.ChoiceField(required=False, choices=Tracking.choices, help_text="Only serialized pieces or lot items")
    location = serializers.IntegerField(required=False, min_value=1, help_text="Only stock at this location id")
    in_stock = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="true: on hand only; false: sold out only")


class LookupSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=64, help_text="A scanned tag, SKU or hallmark ID")


class LotSerializer(serializers.ModelSerializer):
    """Stock of a lot item at one location: quantity and total weights in grams."""

    sku = serializers.CharField(source="item.sku", read_only=True)
    location_name = serializers.CharField(source="location.__str__", read_only=True)

    class Meta:
        model = Lot
        fields = ["id", "item", "sku", "lot_number", "location", "location_name", "quantity", "gross_weight", "net_weight", "created_at"]


class MovementSerializer(serializers.ModelSerializer):
    """A stock movement (read-only history): `quantity`, `gross_weight`, `net_weight` are
    signed changes (units, grams)."""

    sku = serializers.CharField(source="item.sku", read_only=True)
    document_type = serializers.SerializerMethodField()
    actor = serializers.CharField(source="actor.email", read_only=True, default=None)

    class Meta:
        model = StockMovement
        fields = [
            "id", "kind", "item", "sku", "lot", "location", "quantity", "gross_weight", "net_weight",
            "unit_cost", "document_type", "document_id", "document", "reason", "batch", "actor", "created_at",
        ]

    def get_document_type(self, obj) -> str | None:
        return f"{obj.document_type.app_label}.{obj.document_type.model}" if obj.document_type_id else None


class MovementFilterSerializer(serializers.Serializer):
    item = serializers.IntegerField(required=False, min_value=1)
    kind = serializers.ChoiceField(required=False, choices=MovementKind.choices)
    location = serializers.IntegerField(required=False, min_value=1)


_weight = dict(max_digits=12, decimal_places=3, required=False, allow_null=True, min_value=Decimal("0.001"))


class ReceiveSerializer(serializers.Serializer):
    """Receive stock: `quantity` units (> 0) of `item` at `location` (default location when
    left out); for a lot item into `lot` / `lot_number` (new lot when neither), with total
    `gross_weight` / `net_weight` in grams; `unit_cost` in the shop's currency."""

    item = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1)
    location = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    lot = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    lot_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    unit_cost = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=Decimal("0"))
    gross_weight = serializers.DecimalField(**_weight)
    net_weight = serializers.DecimalField(**_weight)
    document = serializers.CharField(max_length=120, required=False, allow_blank=True)


@extend_schema_field({"type": "integer", "not": {"enum": [0]}, "minimum": -1_000_000, "maximum": 1_000_000})
class NonZeroIntegerField(serializers.IntegerField):
    """A whole number other than 0 (the schema says so too)."""


class AdjustSerializer(serializers.Serializer):
    """Adjust stock by `quantity` (negative removes; not 0) for a `reason` (required)."""

    item = serializers.IntegerField(min_value=1)
    quantity = NonZeroIntegerField(min_value=-1_000_000, max_value=1_000_000)
    reason = serializers.CharField(max_length=200)
    lot = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    location = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    gross_weight = serializers.DecimalField(**_weight)
    net_weight = serializers.DecimalField(**_weight)
    document = serializers.CharField(max_length=120, required=False, allow_blank=True)

    def validate_quantity(self, value):
        if value == 0:
            raise serializers.ValidationError("The quantity cannot be zero.")
        return value


class TransferSerializer(serializers.Serializer):
    """Move `quantity` (> 0) units of `item` (from `lot` for a lot item) between locations."""

    item = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, default=1)
    lot = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    from_location = serializers.IntegerField(min_value=1)
    to_location = serializers.IntegerField(min_value=1)
    document = serializers.CharField(max_length=120, required=False, allow_blank=True)


class LabelsQuerySerializer(serializers.Serializer):
    ids = serializers.RegexField(r"^\d+(,\d+)*$", max_length=2000, help_text="Comma-separated item ids, e.g. 4,7,9")
