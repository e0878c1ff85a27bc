from __future__ import annotations

from rest_framework import serializers

from ..chart import SPECS_BY_CODE


class JournalLineSerializer(serializers.Serializer):
    """One transaction of an entry: account (code, Zargar key, name), side and amount
    (string decimal, shop currency)."""

    account_code = serializers.CharField(source="account.code")
    account_key = serializers.SerializerMethodField()
    account_name = serializers.CharField(source="account.name")
    side = serializers.CharField(source="tx_type")
    amount = serializers.DecimalField(max_digits=20, decimal_places=2)
    description = serializers.CharField(allow_null=True)

    def get_account_key(self, tx) -> str | None:
        spec = SPECS_BY_CODE.get(tx.account.code)
        return spec.key.value if spec else None


class JournalEntrySerializer(serializers.Serializer):
    """A posted journal entry of the shop, with its lines and source document (or null)."""

    id = serializers.UUIDField(source="uuid")
    number = serializers.CharField(source="je_number")
    timestamp = serializers.DateTimeField()
    description = serializers.CharField(allow_null=True)
    origin = serializers.CharField(allow_null=True)
    posted = serializers.BooleanField()
    locked = serializers.BooleanField()
    activity = serializers.CharField(allow_null=True)
    lines = JournalLineSerializer(many=True)
    source = serializers.SerializerMethodField()

    def get_source(self, je) -> dict | None:
        link = getattr(je, "zargar_source", None)
        if link is None:
            return None
        return {"type": f"{link.content_type.app_label}.{link.content_type.model}", "id": link.object_id}


class AccountSerializer(serializers.Serializer):
    """An account of the shop's chart with its posted balance (string decimal, shop currency,
    normal side positive)."""

    id = serializers.CharField(source="uuid")
    code = serializers.CharField()
    key = serializers.CharField(allow_null=True, help_text="Zargar's key of the account (e.g. `cash`), null for accounts added by the shop")
    name = serializers.CharField(source="label")
    role = serializers.CharField()
    role_name = serializers.CharField(source="role_label")
    balance_type = serializers.ChoiceField(choices=["debit", "credit"])
    active = serializers.BooleanField()
    balance = serializers.DecimalField(max_digits=20, decimal_places=2)


class BalanceSheetQuerySerializer(serializers.Serializer):
    to = serializers.DateField(required=False, help_text="Last day included (YYYY-MM-DD); default today in the shop's time zone")


class IncomeStatementQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="First day (YYYY-MM-DD); default the first of this month")
    end = serializers.DateField(required=False, help_text="Last day included (YYYY-MM-DD); default today")

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"start": ["The first day must not be after the last."]})
        return attrs


class StatementSerializer(serializers.Serializer):
    """A financial statement: its kind, period, currency and django-ledger's digest (amounts as
    string decimals)."""

    statement = serializers.ChoiceField(choices=["balance_sheet", "income_statement"])
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField()
    currency = serializers.CharField()
    data = serializers.DictField(help_text="django-ledger's statement digest: sections, roles and accounts with totals")
