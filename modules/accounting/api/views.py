"""Accounting API under `/api/v1/accounting/` — read-only, `accounting.view_books` (admin and
owner; a secret API key with `accounting:read`):

* `journal-entries/` — posted entries, newest first, with lines and source document;
  `?date_from=`/`?date_to=`, `?posted=`, `?activity=`;
* `accounts/` — the chart of accounts with balances (`?role=`, `?active=`);
* `statements/balance-sheet/?to=` and `statements/income-statement/?start=&end=` —
  django-ledger's digests, amounts as string decimals.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import django_filters
from django.utils import timezone
from django_ledger.models import JournalEntryModel
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zargar.api.filters import BoolFilter, ShopFilterSet, TextFilter
from zargar.api.pagination import ApiPagination
from zargar.api.viewsets import TenantScopedMixin

from .. import selectors
from ..actions import shop_zone
from .serializers import (
    AccountSerializer,
    BalanceSheetQuerySerializer,
    IncomeStatementQuerySerializer,
    JournalEntrySerializer,
    StatementSerializer,
)


class JournalEntryFilter(ShopFilterSet):
    date_from = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__gte", help_text="First day (YYYY-MM-DD)")
    date_to = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__lte", help_text="Last day (YYYY-MM-DD)")
    posted = BoolFilter()
    activity = TextFilter(help_text="django-ledger activity code, e.g. `op` (operational)")

    class Meta:
        model = JournalEntryModel
        fields = []


class JournalEntryViewSet(TenantScopedMixin, viewsets.ReadOnlyModelViewSet):
    """The shop's journal entries (read-only), newest first, with lines and source document.
    Another shop's entry answers 404. Needs `accounting.view_books` (admin and owner; a secret
    API key). Filters: `?date_from=`, `?date_to=`, `?posted=`, `?activity=`."""

    serializer_class = JournalEntrySerializer
    queryset = JournalEntryModel.objects.none()  # the model, for the schema; get_queryset reads the shop's
    read_permission = "accounting.view_books"
    lookup_field = "uuid"
    lookup_value_regex = "[0-9a-f-]{36}"
    filterset_class = JournalEntryFilter

    def get_queryset(self):
        return selectors.journal_entries(self.tenant)


def _today(tenant) -> dt.date:
    return timezone.now().astimezone(shop_zone(tenant)).date()


def _plain(value):
    """A digest made JSON-safe: Decimals and UUIDs as strings, dates ISO, nested containers kept."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (uuid.UUID,)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


ROLE = OpenApiParameter("role", str, description="Only accounts of this django-ledger role, e.g. `asset_ca_cash`")
ACTIVE = OpenApiParameter("active", bool, description="true: active accounts only; false: inactive only")


class AccountViewSet(TenantScopedMixin, viewsets.ViewSet):
    """The chart of accounts with balances (read-only; `accounting.view_books`)."""

    read_permission = "accounting.view_books"
    serializer_class = AccountSerializer
    pagination_class = ApiPagination

    @extend_schema(parameters=[ROLE, ACTIVE], responses=AccountSerializer(many=True))
    def list(self, request):
        rows = selectors.chart_of_accounts(self.tenant)
        role = request.query_params.get("role")
        if role:
            rows = [row for row in rows if row.role == role]
        active = request.query_params.get("active")
        if active is not None:
            if active not in ("true", "True", "1", "false", "False", "0"):
                raise serializers.ValidationError({"active": ["true or false."]})
            wanted = active in ("true", "True", "1")
            rows = [row for row in rows if row.active == wanted]
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(AccountSerializer(page, many=True).data)


class StatementViewSet(TenantScopedMixin, viewsets.ViewSet):
    """Financial statements of the shop's books (read-only; `accounting.view_books`)."""

    read_permission = "accounting.view_books"
    serializer_class = StatementSerializer

    def _answer(self, kind: str, start, end, data) -> Response:
        body = {"statement": kind, "start": start, "end": end, "currency": self.tenant.currency, "data": _plain(data or {})}
        return Response(StatementSerializer(body).data)

    @extend_schema(parameters=[BalanceSheetQuerySerializer], responses=StatementSerializer)
    @action(detail=False, methods=["get"], url_path="balance-sheet")
    def balance_sheet(self, request):
        """Assets, liabilities and equity through `?to=` (default today)."""
        query = BalanceSheetQuerySerializer(data=request.query_params.dict())  # dict: an empty ?to= is a 400
        query.is_valid(raise_exception=True)
        end = query.validated_data.get("to") or _today(self.tenant)
        return self._answer("balance_sheet", None, end, selectors.balance_sheet(self.tenant, to_date=end))

    @extend_schema(parameters=[IncomeStatementQuerySerializer], responses=StatementSerializer)
    @action(detail=False, methods=["get"], url_path="income-statement")
    def income_statement(self, request):
        """Revenue, cost of goods sold, expenses and net income from `?start=` to `?end=`."""
        query = IncomeStatementQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        end = query.validated_data.get("end") or _today(self.tenant)
        start = query.validated_data.get("start") or end.replace(day=1)
        if start > end:
            start = end.replace(day=1)
        return self._answer("income_statement", start, end, selectors.income_statement(self.tenant, from_date=start, to_date=end))
