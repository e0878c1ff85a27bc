"""API of the point of sale, under `/api/v1/pos/sales/`:

* `POST sales/` — complete a sale in one call (`SaleInSerializer`); the `Idempotency-Key` header
  is required: a repeat with the same key answers 200 with the first sale (header
  `Idempotent-Replayed: true`) and writes nothing; a new sale answers 201. Needs `pos.sell`.
* `GET sales/`, `GET sales/<id>/` — completed sales (`?q=` number, customer or SKU); `pos.view_sales`.
* `POST sales/<id>/returns/` — a return with refunds (`ReturnInSerializer`), 201; `pos.refund`.
* `GET sales/<id>/receipt/` — the receipt PDF (80 mm).
* `POST sales/<id>/payments/` — receive money against the balance owed (`ReceivePaymentInSerializer`,
  `Idempotency-Key` header), 201 with the `BalancePayment`; a replay answers 200 +
  `Idempotent-Replayed: true`; more than is owed → 400 `overpayment`. Needs `pos.sell`.

A refused sale or return answers 400 `{"error": {"code", "message"}}` with the `SaleError` code
(e.g. `out_of_stock`, `unknown_barcode`, `payments_mismatch`, `discount_above_cap`) and writes
nothing. Another shop's sale answers 404.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from zargar.api.errors import error_response
from zargar.api.viewsets import TenantModelViewSet

from .. import actions, selectors
from ..models import Sale, SaleReturn
from ..receipts import receipt_pdf
from .filters import SaleFilter, SaleReturnFilter
from .serializers import BalancePaymentSerializer, ReceivePaymentInSerializer, ReturnInSerializer, SaleInSerializer, SaleReturnSerializer, SaleSerializer

IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[!-~]{1,100}$"}, OpenApiParameter.HEADER, required=True,
    description="Unique per sale attempt (1 to 100 visible ASCII characters, e.g. a UUID); a retry with the same key returns the first sale.",
)


def _refused(exc) -> Response:
    code = getattr(exc, "code", "invalid") or "invalid"
    message = getattr(exc, "text", None) or " ".join(exc.messages)
    return error_response(code, message, field=getattr(exc, "field", None))


class SaleViewSet(TenantModelViewSet):
    """Sales of the shop (see the module docstring)."""

    serializer_class = SaleSerializer
    queryset = Sale.objects.all()
    http_method_names = ["get", "post", "head", "options"]
    read_permission = "pos.view_sales"
    write_permission = "pos.sell"
    filterset_class = SaleFilter

    def _needed_permission(self, request):
        if getattr(self, "action", None) == "returns":
            return "pos.refund"
        return super()._needed_permission(request)

    def get_queryset(self):
        qs = selectors.sales_of(self.tenant)
        return qs.prefetch_related("lines", "payments", "old_gold_lines", "returns__lines", "returns__refunds", "balance_payments__payments")

    @extend_schema(request=SaleInSerializer, responses={201: SaleSerializer, 200: SaleSerializer}, parameters=[IDEMPOTENCY])
    def create(self, request, *args, **kwargs):
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key:
            return error_response("idempotency_key", "Send an Idempotency-Key header (1 to 100 characters).", field="Idempotency-Key")
        data = SaleInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        try:
            sale = actions.complete_sale(
                self.tenant, cashier=request.user if request.user.is_authenticated else None, role=self.role,
                lines=[dict(line) for line in body["lines"]], payments=[dict(p) for p in body["payments"]],
                old_gold=[dict(g) for g in body["old_gold"]], customer=body.get("customer"), discount=body.get("discount"),
                note=body.get("note", ""), idempotency_key=key,
            )
        except actions.SaleError as exc:
            return _refused(exc)
        replay = sale.replayed
        # A new sale answers from what it just wrote; a replay reads the sale back.
        sale = self.get_queryset().get(pk=sale.pk) if replay else selectors.as_written(sale)
        response = Response(SaleSerializer(sale).data, status=status.HTTP_200_OK if replay else status.HTTP_201_CREATED)
        if replay:
            response["Idempotent-Replayed"] = "true"
        return response

    @extend_schema(request=ReturnInSerializer, responses={201: SaleReturnSerializer})
    @action(detail=True, methods=["post"])
    def returns(self, request, pk=None):
        sale = self.get_object()
        data = ReturnInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        try:
            sale_return = actions.return_sale_lines(
                self.tenant, sale, lines=[dict(line) for line in body["lines"]],
                refunds=[dict(r) for r in body["refunds"]] if "refunds" in body else None, refund_method=body["refund_method"],
                actor=request.user if request.user.is_authenticated else None, reason=body.get("reason", ""),
            )
        except actions.SaleError as exc:
            return _refused(exc)
        return Response(SaleReturnSerializer(sale_return).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReceivePaymentInSerializer, responses={201: BalancePaymentSerializer, 200: BalancePaymentSerializer}, parameters=[IDEMPOTENCY])
    @action(detail=True, methods=["post"])
    def payments(self, request, pk=None):
        from ..models import BalancePayment

        sale = self.get_object()
        key = (request.headers.get("Idempotency-Key") or "").strip()
        if not key:
            return error_response("idempotency_key", "Send an Idempotency-Key header (1 to 100 characters).", field="Idempotency-Key")
        data = ReceivePaymentInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        replay = BalancePayment.objects.filter(tenant=self.tenant, sale=sale, idempotency_key=key).exists()
        try:
            received = actions.receive_payment(
                self.tenant, sale, payments=[dict(p) for p in data.validated_data["payments"]], idempotency_key=key,
                actor=request.user if request.user.is_authenticated else None, note=data.validated_data.get("note", ""),
            )
        except actions.SaleError as exc:
            return _refused(exc)
        received = BalancePayment.objects.prefetch_related("payments").get(pk=received.pk)
        response = Response(BalancePaymentSerializer(received).data, status=status.HTTP_200_OK if replay else status.HTTP_201_CREATED)
        if replay:
            response["Idempotent-Replayed"] = "true"
        return response

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def receipt(self, request, pk=None):
        sale = self.get_object()
        response = HttpResponse(receipt_pdf(sale, self.tenant), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="receipt-{sale.number}.pdf"'
        return response


class SaleReturnViewSet(TenantModelViewSet):
    """Returns and voids of the shop's sales, newest first (read-only; `pos.view_sales`).
    Filters: `?sale=`, `?is_void=`, `?returned_from=`, `?returned_to=`. Create a return with
    `POST sales/<id>/returns/`."""

    serializer_class = SaleReturnSerializer
    queryset = SaleReturn.objects.all()
    http_method_names = ["get", "head", "options"]
    read_permission = "pos.view_sales"
    filterset_class = SaleReturnFilter

    def get_queryset(self):
        return SaleReturn.objects.filter(tenant=self.tenant).prefetch_related("lines", "refunds").order_by("-created_at", "-id")
