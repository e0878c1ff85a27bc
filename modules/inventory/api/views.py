from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from zargar.api.viewsets import TenantModelViewSet

from .. import actions
from ..models import Item
from .serializers import ItemSerializer


def _drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


class ItemViewSet(TenantModelViewSet):
    """Inventory items of the shop. Filter with `?q=` (SKU, name, category) and `?karat=`."""

    serializer_class = ItemSerializer
    queryset = Item.objects.all()
    read_permission = "inventory.view_item"
    write_permission = "inventory.change_item"
    delete_permission = "inventory.delete_item"

    def get_queryset(self):
        qs = super().get_queryset()
        q = self.request.query_params.get("q")
        karat = self.request.query_params.get("karat")
        if q:
            from ..selectors import items_of

            qs = items_of(self.tenant, search=q)
        if karat and karat.isdigit():
            qs = qs.filter(karat=int(karat))
        return qs

    def perform_create(self, serializer):
        try:
            serializer.instance = actions.create_item(self.tenant, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_update(self, serializer):
        try:
            actions.update_item(serializer.instance, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_destroy(self, instance):
        actions.delete_item(instance)
