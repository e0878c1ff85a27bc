from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from modules.inventory.models import Item

from ..models import AppraisalCertificate


class ShopItemField(serializers.PrimaryKeyRelatedField):
    """An inventory item id that must belong to the request's shop (400 otherwise)."""

    default_error_messages = {"does_not_exist": _("Item {pk_value} is not an item of this shop.")}

    def get_queryset(self):
        view = self.context.get("view")
        tenant = getattr(view, "tenant", None)
        if tenant is None:
            return Item.objects.none()
        return Item.objects.filter(tenant=tenant)


class CertificateSerializer(serializers.ModelSerializer):
    """An appraisal certificate. `appraised_value` is a string decimal (2 places) in `currency`
    (the shop's ISO 4217 code); `number` is assigned by the server (`APR-000001`, per shop);
    `valid_until` defaults to the shop's validity setting; `status` is `valid` or `expired`."""

    item = ShopItemField()
    item_sku = serializers.CharField(source="item.sku", read_only=True)
    valid_until = serializers.DateField(required=False)

    class Meta:
        model = AppraisalCertificate
        fields = [
            "id", "number", "item", "item_sku", "appraised_value", "currency", "appraiser_name", "karat_verified",
            "notes", "issued_at", "valid_until", "status",
        ]
        read_only_fields = ["id", "number", "item_sku", "currency", "issued_at", "status"]
