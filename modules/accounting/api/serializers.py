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
