"""API of the customers module, under `/api/v1/customers/`:

* `customers/` — list (`?q=` name, phone or e-mail; `?limit=`/`?offset=`), create; `customers/<id>/`
  read, update (`PUT`/`PATCH`), delete (refused with 409 `in_use` when the customer has store
  credit or history). Reading needs `customers.view_customer` (viewer and up), writing
  `customers.change_customer` (member and up).
* `customers/search/?q=&limit=` — the best matches for a picker (at most 50, default 10).
* `customers/<id>/activity/` — the customer's purchase history and other activity.
* `POST customers/<id>/issue-credit/`, `POST customers/<id>/redeem-credit/` (member and up) and
  `POST customers/<id>/adjust-credit/` (`customers.adjust_credit`, admin and up) — each answers
  201 with the new entry and the new balance; 409 `insufficient_credit` when a redemption or
  negative adjustment is larger than the balance.
* `credit-entries/` — store-credit entries, newest first (`?customer=<id>`), read-only: entries
  cannot be changed or deleted.

Another shop's customer or entry answers 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from zargar.api.viewsets import TenantModelViewSet

from .. import actions, selectors
from ..models import Customer, StoreCreditEntry
from .filters import CreditEntryFilter, CustomerFilter
from .serializers import (
    ActivitySerializer,
    AdjustCreditSerializer,
    CreditEntrySerializer,
    CustomerSearchSerializer,
    CustomerSerializer,
    IssueCreditSerializer,
    RedeemCreditSerializer,
)


def _drf_error(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages})


class InsufficientCredit(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "insufficient_credit"
    default_detail = "Not enough store credit."


class CustomerInUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "in_use"
    default_detail = "This customer has store credit or history and cannot be deleted."


def _actor(request):
    return request.user if request.user.is_authenticated else None


class CustomerViewSet(TenantModelViewSet):
    """Customers of the shop, their store credit and activity (see the module docstring)."""

    serializer_class = CustomerSerializer
    queryset = Customer.objects.all()
    read_permission = "customers.view_customer"
    write_permission = "customers.change_customer"
    filterset_class = CustomerFilter

    def _needed_permission(self, request):
        if getattr(self, "action", None) == "adjust_credit":
            return "customers.adjust_credit"
        return super()._needed_permission(request)

    def get_queryset(self):
        return selectors.customers_of(self.tenant)

    def filter_queryset(self, queryset):
        # The list's FilterSet; actions on one customer (activity, credit) ignore `?q=` etc.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        try:
            customer = actions.create_customer(self.tenant, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        serializer.instance = selectors.get_customer(self.tenant, customer.pk)

    def perform_update(self, serializer):
        try:
            actions.update_customer(serializer.instance, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    def perform_destroy(self, instance):
        try:
            actions.delete_customer(instance)
        except DjangoValidationError as exc:
            raise CustomerInUse() from exc

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Name, phone or e-mail"), OpenApiParameter("limit", int, description="1 to 50, default 10")],
        responses=inline_serializer("CustomerSearchResults", {"results": CustomerSerializer(many=True)}),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def search(self, request):
        filters = CustomerSearchSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        try:
            limit = int(request.query_params.get("limit", 10))
        except ValueError:
            raise serializers.ValidationError({"limit": ["A whole number from 1 to 50."]}) from None
        found = selectors.search_customers(self.tenant, filters.validated_data.get("q", ""), limit=limit)
        return Response({"results": CustomerSerializer(found, many=True).data})

    @extend_schema(responses=ActivitySerializer(many=True))
    @action(detail=True, methods=["get"])
    def activity(self, request, pk=None):
        customer = self.get_object()
        page = self.paginate_queryset(selectors.activities(self.tenant, customer))
        return self.get_paginated_response(ActivitySerializer(page, many=True).data)

    def _credit_response(self, customer, entry):
        entry = selectors.credit_entries(self.tenant, customer=customer).get(pk=entry.pk)
        body = CreditEntrySerializer(entry).data
        body["balance"] = str(selectors.credit_balance(customer))
        return Response(body, status=status.HTTP_201_CREATED)

    def _write_credit(self, serializer_class, write):
        customer = self.get_object()
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        try:
            entry = write(customer, data.validated_data)
        except actions.InsufficientCreditError as exc:
            raise InsufficientCredit(detail=exc.text) from exc
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return self._credit_response(customer, entry)

    @extend_schema(request=IssueCreditSerializer, responses={201: CreditEntrySerializer})
    @action(detail=True, methods=["post"], url_path="issue-credit")
    def issue_credit(self, request, pk=None):
        return self._write_credit(
            IssueCreditSerializer,
            lambda customer, d: actions.issue_store_credit(
                self.tenant, customer, d["amount"], kind=d["kind"], actor=_actor(request), note=d["note"], reference_text=d["reference_text"]
            ),
        )

    @extend_schema(request=RedeemCreditSerializer, responses={201: CreditEntrySerializer})
    @action(detail=True, methods=["post"], url_path="redeem-credit")
    def redeem_credit(self, request, pk=None):
        return self._write_credit(
            RedeemCreditSerializer,
            lambda customer, d: actions.redeem_store_credit(
                self.tenant, customer, d["amount"], actor=_actor(request), note=d["note"], reference_text=d["reference_text"]
            ),
        )

    @extend_schema(request=AdjustCreditSerializer, responses={201: CreditEntrySerializer})
    @action(detail=True, methods=["post"], url_path="adjust-credit")
    def adjust_credit(self, request, pk=None):
        return self._write_credit(
            AdjustCreditSerializer,
            lambda customer, d: actions.adjust_store_credit(
                self.tenant, customer, d["amount"], reason=d["reason"], actor=_actor(request), reference_text=d["reference_text"]
            ),
        )


class CreditEntryViewSet(TenantModelViewSet):
    """Store-credit entries of the shop, newest first; read-only (the ledger is append-only)."""

    serializer_class = CreditEntrySerializer
    queryset = StoreCreditEntry.objects.all()
    read_permission = "customers.view_customer"
    write_permission = "customers.change_customer"
    http_method_names = ["get", "head", "options"]
    filterset_class = CreditEntryFilter

    def get_queryset(self):
        return selectors.credit_entries(self.tenant)
