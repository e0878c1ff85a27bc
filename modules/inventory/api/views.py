"""Inventory API under `/api/v1/inventory/`. Thin: serializers validate, `actions` write
(raising Django `ValidationError` / `StockError`, turned into 4xx JSON), `selectors` read.

* `items/` — CRUD (`inventory.change_item` to write, `inventory.delete_item` to delete);
  `items/lookup/?code=` finds a tag, SKU or HUID (404 JSON when none); `items/labels/?ids=1,2`
  and `items/<id>/label/` answer a PDF label sheet.
* `lots/`, `movements/`, `locations/` — read-only.
* `stock/receive/`, `stock/adjust/`, `stock/transfer/` — POST (`inventory.move_stock`, member
  and up); 201 with the movements written. Errors: 400 (`bad_quantity`, `bad_weight`,
  `reason_required`, `same_location`, …), 404 (`unknown_item`, `unknown_lot`,
  `unknown_location` — another shop's ids too), 409 (`out_of_stock`, `in_stock`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, filters, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.response import Response

from zargar.api.viewsets import ApiPagination, TenantModelViewSet, TenantScopedMixin

from .. import actions, selectors
from ..labels import label_pdf
from ..models import Branch, Item, Location, Lot, StockMovement
from .filters import ItemFilter, LotFilter, MovementFilter
from .serializers import (
    AdjustSerializer,
    BranchSerializer,
    ItemSerializer,
    LabelsQuerySerializer,
    LocationSerializer,
    LookupSerializer,
    LotSerializer,
    MovementSerializer,
    ReceiveSerializer,
    TransferSerializer,
)

NOT_FOUND_CODES = {"unknown_item", "unknown_lot", "unknown_location"}
CONFLICT_CODES = {"out_of_stock", "in_stock", "has_movements"}


class StockFailed(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"


def _drf_error(exc: DjangoValidationError) -> exceptions.APIException:
    code = getattr(exc, "code", None)
    if isinstance(exc, actions.StockError) or code in CONFLICT_CODES:
        failed = StockFailed(detail=exc.messages[0], code=code)
        if code in NOT_FOUND_CODES:
            failed.status_code = status.HTTP_404_NOT_FOUND
        elif code in CONFLICT_CODES:
            failed.status_code = status.HTTP_409_CONFLICT
        return failed
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


class PDFRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Successful answers are HttpResponses with the PDF; only errors are rendered here.
        return data if isinstance(data, bytes) else renderers.JSONRenderer().render(data)


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _actor(request):
    return request.user if getattr(request.user, "is_authenticated", False) else None


class ItemViewSet(TenantModelViewSet):
    """Inventory items of the shop. The list filters with `?q=` (SKU, name, category, tag,
    HUID), `?karat=`, `?tracking=`, `?category=`, `?location=`, `?in_stock=`, `?price_min=`,
    `?price_max=`, `?updated_after=` (`ItemFilter`), sorts with `?ordering=` and pages with
    `?limit=` / `?offset=`. Reading needs `inventory.view_item` (viewer and up), creating and editing
    `inventory.change_item` (member and up), deleting `inventory.delete_item` (admin and up;
    an item with stock history answers 409 `has_movements`). Another shop's item id answers 404."""

    serializer_class = ItemSerializer
    queryset = Item.objects.all()
    read_permission = "inventory.view_item"
    write_permission = "inventory.change_item"
    delete_permission = "inventory.delete_item"
    filterset_class = ItemFilter
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    ordering_fields = ["sku", "name", "price", "created_at", "updated_at", "quantity"]

    def get_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", self.get_serializer_context())
        return ItemSerializer(*args, tenant=getattr(self, "tenant", None), **kwargs)

    def get_queryset(self):
        return selectors.items_of(self.tenant).prefetch_related("stones")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            serializer.instance = actions.create_item(
                self.tenant, quantity=data.pop("quantity", 0) or 0, location=data.pop("location", None),
                stones=data.pop("stones", None), actor=_actor(self.request), **data,
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("location", None)
        try:
            actions.update_item(serializer.instance, **data)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_destroy(self, instance):
        try:
            actions.delete_item(instance)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    @extend_schema(parameters=[LookupSerializer], responses={200: ItemSerializer, 404: OpenApiResponse(description="No item has this code")})
    @action(detail=False, methods=["get"])
    def lookup(self, request):
        """The item a scanned code names (tag, SKU or hallmark ID), for a POS scan box."""
        query = LookupSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            item = selectors.find_by_barcode(self.tenant, query.validated_data["code"])
        except Item.DoesNotExist as exc:
            raise exceptions.NotFound(f"No item in this shop has the code {query.validated_data['code'].strip()!r}.") from exc
        return Response(self.get_serializer(item).data)

    @extend_schema(parameters=[LabelsQuerySerializer], responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=False, methods=["get"], renderer_classes=[renderers.JSONRenderer, PDFRenderer])
    def labels(self, request):
        """A PDF sheet with one label per item of `?ids=` (comma-separated, at most 500)."""
        query = LabelsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ids = [int(x) for x in query.validated_data["ids"].split(",")]
        if len(ids) > 500:
            raise serializers.ValidationError({"ids": ["At most 500 items per sheet."]})
        found = {item.pk: item for item in selectors.items_of(self.tenant).filter(pk__in=ids)}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise exceptions.NotFound(f"Unknown item {missing[0]}.")
        return _pdf_response(label_pdf([found[pk] for pk in ids], currency=self.tenant.currency), "labels.pdf")

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, PDFRenderer])
    def label(self, request, pk=None):
        """A PDF with the label of one item."""
        item = self.get_object()
        return _pdf_response(label_pdf([item], currency=self.tenant.currency), f"label-{item.pk}.pdf")


class _ReadOnly(TenantModelViewSet):
    read_permission = "inventory.view_item"
    http_method_names = ["get", "head", "options"]


class LotViewSet(_ReadOnly):
    """Lots of lot-tracked items (`?item=`, `?location=`, `?in_stock=true`): read-only."""

    serializer_class = LotSerializer
    queryset = Lot.objects.all()
    filterset_class = LotFilter

    def get_queryset(self):
        return selectors.lots_of(self.tenant)


class MovementViewSet(_ReadOnly):
    """Stock movements, newest first (`?item=`, `?kind=`, `?location=`, `?created_after=`,
    `?created_before=`): read-only history."""

    serializer_class = MovementSerializer
    queryset = StockMovement.objects.all()
    filterset_class = MovementFilter

    def get_queryset(self):
        return selectors.movements_of(self.tenant)


class LocationViewSet(_ReadOnly):
    """The shop's stock locations with their branches: read-only (admins manage them in the panel)."""

    serializer_class = LocationSerializer
    queryset = Location.objects.all()
    pagination_class = ApiPagination

    def get_queryset(self):
        return selectors.locations_of(self.tenant)


class BranchViewSet(_ReadOnly):
    """The shop's branches with their location ids: read-only (admins manage them in the panel)."""

    serializer_class = BranchSerializer
    queryset = Branch.objects.all()

    def get_queryset(self):
        return Branch.objects.filter(tenant=self.tenant).prefetch_related("locations")


class StockViewSet(TenantScopedMixin, viewsets.ViewSet):
    """Stock receipts, adjustments and transfers (POST; `inventory.move_stock`)."""

    read_permission = "inventory.view_item"
    write_permission = "inventory.move_stock"

    def _run(self, serializer_class, fn):
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if v not in (None, "")}
        try:
            result = fn(values)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        movements = list(result) if isinstance(result, (list, tuple)) else [result]
        return Response({"movements": MovementSerializer(movements, many=True).data}, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReceiveSerializer, responses={201: MovementSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def receive(self, request):
        """Receive stock (a 'receipt' movement)."""
        return self._run(ReceiveSerializer, lambda v: actions.receive_stock(self.tenant, actor=_actor(request), **v))

    @extend_schema(request=AdjustSerializer, responses={201: MovementSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def adjust(self, request):
        """Adjust stock up or down for a reason (an 'adjustment' movement)."""
        return self._run(AdjustSerializer, lambda v: actions.adjust_stock(self.tenant, actor=_actor(request), **v))

    @extend_schema(request=TransferSerializer, responses={201: MovementSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def transfer(self, request):
        """Move stock between two locations (a 'transfer_out' and a 'transfer_in' movement)."""
        return self._run(TransferSerializer, lambda v: actions.transfer_stock(self.tenant, actor=_actor(request), **v))
