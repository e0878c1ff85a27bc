"""`/api/v1/inventory/items/`: the shop's items over REST. Thin: serializers validate,
`actions` write (raising Django `ValidationError`, turned into 400 JSON), `selectors` read."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from zargar.api.viewsets import TenantModelViewSet

from .. import actions, selectors
from ..models import Item
from .serializers import ItemFilterSerializer, ItemSerializer


def _drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


@extend_schema_view(list=extend_schema(parameters=[ItemFilterSerializer]))
class ItemViewSet(TenantModelViewSet):
    """Inventory items of the shop. The list filters with `?q=` (SKU, name, category) and
    `?karat=`, and pages with `?limit=` / `?offset=`. Reading needs `inventory.view_item`
    (viewer and up), creating and editing `inventory.change_item` (member and up), deleting
    `inventory.delete_item` (admin and up). Another shop's item id answers 404."""

    serializer_class = ItemSerializer
    queryset = Item.objects.all()
    read_permission = "inventory.view_item"
    write_permission = "inventory.change_item"
    delete_permission = "inventory.delete_item"

    def get_queryset(self):
        if self.action != "list":
            return selectors.items_of(self.tenant)
        filters = ItemFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.items_of(self.tenant, search=filters.validated_data.get("q", "").strip(), karat=filters.validated_data.get("karat"))

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
