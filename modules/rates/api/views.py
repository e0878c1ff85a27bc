"""API of the rates module, under `/api/v1/rates/`:

* `GET board/?unit=` — the current buy/sell of every purity (viewer and up);
* `GET rates/?purity=` (history), `GET rates/<id>/`, `POST rates/` (member and up);
* `POST quotes/` prices a piece and locks the rate; `GET quotes/` lists quotes;
  `GET quotes/<reference>/` answers 410 `quote_expired` once the lock has ended;
* `GET/POST/PATCH/DELETE alerts/` (admin and up; PATCH changes `active` only).

Rates are history: they cannot be changed or deleted (405).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.response import Response

from zargar.api.viewsets import TenantModelViewSet, TenantScopedMixin

from .. import actions, selectors
from ..models import PriceQuote, Rate, RateAlert
from ..pricing import ExtraLine, PricingError
from .filters import AlertFilter, QuoteFilter, RateFilter
from .serializers import (
    AlertSerializer,
    BoardQuerySerializer,
    BoardSerializer,
    BoardRowSerializer,
    QuoteRequestSerializer,
    QuoteSerializer,
    RateInputSerializer,
    RateSerializer,
)


def _drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


class PricingFailed(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "pricing_error"


class QuoteGone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_code = "quote_expired"


class BoardViewSet(TenantScopedMixin, viewsets.ViewSet):
    """The shop's board: every purity with its current rate in `?unit=` (default: the shop's
    display unit)."""

    read_permission = "rates.view_rate"
    serializer_class = BoardRowSerializer

    @extend_schema(parameters=[BoardQuerySerializer], responses=BoardSerializer)
    def list(self, request):
        query = BoardQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        unit = selectors.display_unit(self.tenant, query.validated_data.get("unit"))
        rows = selectors.board(self.tenant, unit=unit)
        return Response({"unit": unit, "currency": self.tenant.currency, "results": BoardRowSerializer(rows, many=True).data})


class RateViewSet(TenantModelViewSet):
    """Rate history of the shop (newest first; `?purity=` filters) and rate entry."""

    queryset = Rate.objects.select_related("entered_by")
    serializer_class = RateSerializer
    read_permission = "rates.view_rate"
    write_permission = "rates.enter_rate"
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = RateFilter

    def get_serializer_class(self):
        return RateInputSerializer if self.action == "create" else RateSerializer

    def create(self, request, *args, **kwargs):
        data = RateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            rate = actions.record_rate(self.tenant, entered_by=request.user if request.user.is_authenticated else None, **data.validated_data)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(RateSerializer(rate).data, status=status.HTTP_201_CREATED)


class QuoteViewSet(TenantModelViewSet):
    """Price quotes: create one for a piece (rate locked for the shop's quote minutes)."""

    queryset = PriceQuote.objects.select_related("rate", "rate__entered_by")
    serializer_class = QuoteSerializer
    read_permission = "rates.view_rate"
    write_permission = "rates.quote_price"
    http_method_names = ["get", "post", "head", "options"]
    filterset_class = QuoteFilter
    lookup_field = "reference"
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"

    def get_serializer_class(self):
        return QuoteRequestSerializer if self.action == "create" else QuoteSerializer

    def retrieve(self, request, *args, **kwargs):
        try:
            quote = selectors.get_valid_quote(self.tenant, kwargs["reference"])
        except PriceQuote.DoesNotExist as exc:
            raise exceptions.NotFound() from exc
        except selectors.QuoteExpired as exc:
            raise QuoteGone(f"This quote expired at {exc.quote.expires_at.isoformat()}; price the piece again.") from exc
        return Response(QuoteSerializer(quote).data)

    def create(self, request, *args, **kwargs):
        data = QuoteRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["lines"] = [ExtraLine(line["label"], line["amount"]) for line in values.get("lines", [])]
        try:
            quote = actions.quote_price(self.tenant, created_by=request.user if request.user.is_authenticated else None, **values)
        except PricingError as exc:
            raise PricingFailed(detail=exc.message, code=exc.code) from exc
        return Response(QuoteSerializer(quote).data, status=status.HTTP_201_CREATED)


class AlertViewSet(TenantModelViewSet):
    """Rate alerts of the shop (admins): create, list, switch on/off (`PATCH {"active": …}`), delete."""

    queryset = RateAlert.objects.all()
    serializer_class = AlertSerializer
    read_permission = "rates.manage_alerts"
    write_permission = "rates.manage_alerts"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_class = AlertFilter

    def perform_create(self, serializer):
        try:
            serializer.instance = actions.create_alert(self.tenant, created_by=self.request.user if self.request.user.is_authenticated else None, **{k: v for k, v in serializer.validated_data.items() if k != "active"})
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def partial_update(self, request, *args, **kwargs):
        alert = self.get_object()
        active = request.data.get("active")
        if not isinstance(active, bool) or set(request.data) - {"active"}:
            raise serializers.ValidationError({"active": ["Send only {\"active\": true|false}; other fields cannot change."]})
        actions.set_alert_active(alert, active)
        return Response(AlertSerializer(alert).data)

    def perform_destroy(self, instance):
        actions.delete_alert(instance)
