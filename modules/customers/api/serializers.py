from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import MONEY_DIGITS, MONEY_PLACES, CreditKind, Customer, CustomerActivity, StoreCreditEntry


@extend_schema_field({
    "type": "string", "format": "phone", "maxLength": 20, "pattern": r"^(\+|00)?[0-9]{4,15}$",
    "description": "E.164 (`+989123456789`) or, when the shop has no phone region, local digits. "
    "Whether a number exists in its country's numbering plan is checked by libphonenumber (400 `phone`).",
})
class PhoneField(serializers.CharField):
    """A phone number as typed; `modules.customers.phones.normalize_phone` validates and normalises it."""


class CustomerSerializer(serializers.ModelSerializer):
    """A customer of the shop. `phone` comes back normalised (E.164 such as `+989123456789` when
    it can be parsed, else digits) and `email` lower-cased; both are unique within the shop when
    set. `credit_balance` is the store-credit balance (string decimal, shop currency), read-only."""

    credit_balance = serializers.DecimalField(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, read_only=True, default=None)
    phone = PhoneField(required=False, allow_blank=True, max_length=20)

    class Meta:
        model = Customer
        fields = [
            "id", "full_name", "phone", "email", "national_id", "address", "birthday", "notes", "marketing_consent",
            "credit_balance", "created_at", "updated_at",
        ]
        read_only_fields = ["id", "credit_balance", "created_at", "updated_at"]
        # Uniqueness is checked by `actions` after normalising the phone and e-mail.
        validators = []


class CustomerSearchSerializer(serializers.Serializer):
    """Query parameters of the customer list and search."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=100, help_text="Name, phone or e-mail (part of it)")


class CreditEntrySerializer(serializers.ModelSerializer):
    """One store-credit entry: `amount` signed (string decimal, `currency`), `balance_after` the
    customer's balance after it; `reference` is `"app_label.model:id"` of the document, if any."""

    reference = serializers.SerializerMethodField()
    actor = serializers.SlugRelatedField(slug_field="email", read_only=True)
    balance_after = serializers.DecimalField(max_digits=MONEY_DIGITS + 2, decimal_places=MONEY_PLACES, read_only=True)

    class Meta:
        model = StoreCreditEntry
        fields = ["id", "customer", "kind", "amount", "currency", "balance_after", "reference", "reference_text", "note", "actor", "created_at"]
        read_only_fields = fields

    def get_reference(self, entry) -> str | None:
        if entry.reference_type_id is None:
            return None
        return f"{entry.reference_type.app_label}.{entry.reference_type.model}:{entry.reference_id}"


class ActivitySerializer(serializers.ModelSerializer):
    reference = serializers.SerializerMethodField()

    class Meta:
        model = CustomerActivity
        fields = ["id", "kind", "summary", "amount", "currency", "occurred_at", "reference", "reference_text"]
        read_only_fields = fields

    def get_reference(self, activity) -> str | None:
        if activity.reference_type_id is None:
            return None
        return f"{activity.reference_type.app_label}.{activity.reference_type.model}:{activity.reference_id}"


_AMOUNT = {"max_digits": MONEY_DIGITS, "decimal_places": MONEY_PLACES}


class IssueCreditSerializer(serializers.Serializer):
    """`POST …/issue-credit/`: `amount` (positive, shop currency), `kind` `issue` (default; posted
    to the books as a discount given) or `refund` (the return document posts it)."""

    amount = serializers.DecimalField(**_AMOUNT)
    kind = serializers.ChoiceField(choices=[CreditKind.ISSUE, CreditKind.REFUND], default=CreditKind.ISSUE)
    reference_text = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class RedeemCreditSerializer(serializers.Serializer):
    """`POST …/redeem-credit/`: `amount` (positive, shop currency) taken from the balance; 409
    `insufficient_credit` when the balance is smaller. Not posted to the books (the sale posts it)."""

    amount = serializers.DecimalField(**_AMOUNT)
    reference_text = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class AdjustCreditSerializer(serializers.Serializer):
    """`POST …/adjust-credit/` (admins): `amount` signed, not zero; `reason` required."""

    amount = serializers.DecimalField(**_AMOUNT)
    reason = serializers.CharField(max_length=500)
    reference_text = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")

