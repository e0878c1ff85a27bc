"""API shapes of the rates module. Money and rates are string decimals in the shop's currency;
weights are grams (string decimals); times are ISO 8601."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from ..models import Direction, PriceQuote, Rate, RateAlert, Side
from ..pricing import MakingMode, TaxRule
from ..units import Purity, Unit

POSITIVE = Decimal("0.0001")


class RateSerializer(serializers.ModelSerializer):
    """A recorded rate: `buy` / `sell` per `unit` as entered, and per gram (6 places)."""

    entered_by = serializers.SlugRelatedField(slug_field="email", read_only=True, allow_null=True, help_text="E-mail of who entered it; null for provider rates")

    class Meta:
        model = Rate
        fields = ["id", "purity", "unit", "buy", "sell", "buy_per_gram", "sell_per_gram", "currency", "effective_at", "source", "provider_key", "entered_by", "created_at"]
        read_only_fields = fields


class RateInputSerializer(serializers.Serializer):
    """A rate to record: purity code, unit, buy ≤ sell (> 0), optional `effective_at`."""

    purity = serializers.ChoiceField(choices=Purity.choices)
    unit = serializers.ChoiceField(choices=Unit.choices, default=Unit.GRAM)
    buy = serializers.DecimalField(max_digits=20, decimal_places=4, min_value=POSITIVE)
    sell = serializers.DecimalField(max_digits=20, decimal_places=4, min_value=POSITIVE)
    effective_at = serializers.DateTimeField(required=False, allow_null=True)


class BoardRowSerializer(serializers.Serializer):
    """One purity of the board in the requested unit (`buy`/`sell` null when no rate yet)."""

    purity = serializers.CharField()
    label = serializers.CharField()
    fineness = serializers.IntegerField()
    unit = serializers.CharField()
    buy = serializers.DecimalField(max_digits=None, decimal_places=None, allow_null=True)
    sell = serializers.DecimalField(max_digits=None, decimal_places=None, allow_null=True)
    currency = serializers.CharField()
    rate_id = serializers.IntegerField(source="rate.pk", allow_null=True, default=None)
    effective_at = serializers.DateTimeField(source="rate.effective_at", allow_null=True, default=None)


@extend_schema_serializer(many=False)
class BoardSerializer(serializers.Serializer):
    """The board: the unit and currency of its rows, and one row per purity."""

    unit = serializers.ChoiceField(choices=Unit.choices)
    currency = serializers.CharField()
    results = BoardRowSerializer(many=True)


class BoardQuerySerializer(serializers.Serializer):
    unit = serializers.ChoiceField(choices=Unit.choices, required=False, help_text="Unit of the rates; default the shop's display unit")


class LineSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=80)
    amount = serializers.DecimalField(max_digits=20, decimal_places=4, min_value=Decimal("0"))


class QuoteRequestSerializer(serializers.Serializer):
    """A piece to price at the current sell rate of its purity.

    `making_mode`: `percent` (of the metal value), `per_gram` (of net weight) or `fixed`;
    `making_value` the percent or amount. Unset `profit_percent`, `tax_rule` (`none`,
    `vat_total`, `iran`) and `vat_percent` use the shop's settings.
    """

    purity = serializers.ChoiceField(choices=Purity.choices)
    net_weight = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=Decimal("0.001"), help_text="grams")
    making_mode = serializers.ChoiceField(choices=MakingMode.ALL, default=MakingMode.PERCENT)
    making_value = serializers.DecimalField(max_digits=20, decimal_places=4, min_value=Decimal("0"), default=Decimal("0"))
    wastage_percent = serializers.DecimalField(max_digits=7, decimal_places=3, min_value=Decimal("0"), default=Decimal("0"))
    profit_percent = serializers.DecimalField(max_digits=7, decimal_places=3, min_value=Decimal("0"), required=False)
    tax_rule = serializers.ChoiceField(choices=TaxRule.ALL, required=False)
    vat_percent = serializers.DecimalField(max_digits=7, decimal_places=3, min_value=Decimal("0"), required=False)
    lines = LineSerializer(many=True, required=False, default=list)


class QuoteSerializer(serializers.ModelSerializer):
    """A locked quote: the rate row used, every price line, and until when it holds."""

    rate = RateSerializer(read_only=True)

    class Meta:
        model = PriceQuote
        fields = ["id", "reference", "purity", "net_weight", "parameters", "breakdown", "total", "currency", "rate", "created_at", "expires_at"]
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = RateAlert
        fields = ["id", "purity", "side", "direction", "threshold", "unit", "threshold_per_gram", "active", "created_at", "last_triggered_at"]
        read_only_fields = ["id", "threshold_per_gram", "created_at", "last_triggered_at"]
        extra_kwargs = {
            "side": {"default": Side.SELL},
            "direction": {"choices": Direction.choices},
            "threshold": {"min_value": POSITIVE},
        }
