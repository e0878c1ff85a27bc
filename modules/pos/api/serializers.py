"""Serializers of the point-of-sale API: the inputs of a sale and a return, and the sale read
shape. Money is a decimal string in the shop's currency; weights are grams."""

from __future__ import annotations

from rest_framework import serializers

from zargar.api.serializers import CachedFieldsMixin

from ..models import BalancePayment, OldGoldLine, Payment, ReturnLine, Sale, SaleLine, SaleReturn

MONEY = {"max_digits": 16, "decimal_places": 2}


class LineInSerializer(CachedFieldsMixin, serializers.Serializer):
    any_of_required = (("item",), ("barcode",))  # the schema says so too (zargar.api.schema)

    item = serializers.IntegerField(required=False, min_value=1, help_text="Item id (or give `barcode`).")
    barcode = serializers.CharField(required=False, max_length=60, help_text="A tag, SKU or hallmark HUID.")
    lot = serializers.IntegerField(required=False, allow_null=True)
    quantity = serializers.IntegerField(required=False, default=1)
    discount = serializers.DecimalField(required=False, **MONEY)
    quote = serializers.UUIDField(required=False, allow_null=True, help_text="Reference of a locked price quote.")

    def validate(self, attrs):
        if not attrs.get("item") and not attrs.get("barcode"):
            raise serializers.ValidationError("Each line names an item or a barcode.")
        return attrs


#: How money is tendered or refunded at the counter (old gold is its own line, not a tender).
TENDER_METHODS = ["cash", "card", "store_credit"]


class PaymentInSerializer(CachedFieldsMixin, serializers.Serializer):
    method = serializers.ChoiceField(choices=TENDER_METHODS)
    amount = serializers.DecimalField(**MONEY)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=80)


class OldGoldInSerializer(CachedFieldsMixin, serializers.Serializer):
    weight = serializers.DecimalField(max_digits=12, decimal_places=3, help_text="Grams.")
    fineness = serializers.IntegerField(required=False, help_text="Parts per thousand, e.g. 750.")
    purity = serializers.CharField(required=False, help_text="Or a purity code, e.g. gold_750.")
    deduction_percent = serializers.DecimalField(required=False, max_digits=5, decimal_places=2)
    description = serializers.CharField(required=False, allow_blank=True, max_length=120)


class SaleInSerializer(CachedFieldsMixin, serializers.Serializer):
    """`POST /api/v1/pos/sales/` with the `Idempotency-Key` header."""

    lines = LineInSerializer(many=True, allow_empty=False, min_length=1)
    payments = PaymentInSerializer(many=True, required=False, default=list)
    old_gold = OldGoldInSerializer(many=True, required=False, default=list)
    customer = serializers.IntegerField(required=False, allow_null=True)
    discount = serializers.DecimalField(required=False, allow_null=True, **MONEY)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ReturnLineInSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    quantity = serializers.IntegerField(default=1)


class ReturnInSerializer(serializers.Serializer):
    lines = ReturnLineInSerializer(many=True)
    refunds = PaymentInSerializer(many=True, required=False, help_text="Default: the whole value in `refund_method`.")
    refund_method = serializers.ChoiceField(choices=TENDER_METHODS, default="cash")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ReceivePaymentInSerializer(serializers.Serializer):
    """`POST /api/v1/pos/sales/<id>/payments/` with the `Idempotency-Key` header: money received
    against the sale's balance owed, split over tenders."""

    payments = PaymentInSerializer(many=True, min_length=1)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class SaleLineSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = SaleLine
        fields = ["id", "item", "lot", "sku", "description", "karat", "quantity", "gross_weight", "net_weight", "rate_per_gram", "unit_price",
                  "metal", "making", "other", "discount", "tax", "line_total", "returned_quantity", "breakdown", "quote"]


class PaymentSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "method", "amount", "reference", "sale_return", "balance_payment"]


class BalancePaymentSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    payments = PaymentSerializer(many=True, read_only=True)

    class Meta:
        model = BalancePayment
        fields = ["id", "number", "sale", "amount", "balance_after", "received_on", "actor", "idempotency_key", "note", "created_at", "payments"]
        read_only_fields = fields


class OldGoldSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = OldGoldLine
        fields = ["id", "description", "weight", "fineness", "deduction_percent", "rate_per_gram", "fine_weight", "value", "deduction", "credit"]


class ReturnLineSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = ReturnLine
        fields = ["sale_line", "quantity", "metal", "making", "other", "discount", "tax", "line_total"]


class SaleReturnSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    lines = ReturnLineSerializer(many=True, read_only=True)
    refunds = PaymentSerializer(many=True, read_only=True)

    class Meta:
        model = SaleReturn
        fields = ["id", "number", "sale", "is_void", "reason", "total", "returned_on", "created_at", "lines", "refunds"]


class SaleSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    lines = SaleLineSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    old_gold_lines = OldGoldSerializer(many=True, read_only=True)
    returns = SaleReturnSerializer(many=True, read_only=True)
    balance_payments = BalancePaymentSerializer(many=True, read_only=True)

    class Meta:
        model = Sale
        fields = ["id", "number", "status", "customer", "cashier", "currency", "subtotal", "discount", "tax", "total", "old_gold_credit",
                  "paid", "balance_due", "refunded", "sold_on", "completed_at", "idempotency_key", "note", "lines", "payments", "old_gold_lines", "returns",
                  "balance_payments"]
        read_only_fields = fields
