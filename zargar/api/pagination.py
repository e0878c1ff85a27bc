"""The paginator of every list under `/api/v1/` (`REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]`).

Kept apart from `viewsets` so DRF's settings can import it without an import cycle."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, pagination


class ApiPagination(pagination.LimitOffsetPagination):
    """`?limit=` (default `PAGE_SIZE`, 50; at most 200) and `?offset=`; the body is
    `{count, next, previous, results}` (`next`/`previous` are full URLs or null). The
    paginator of every list under `/api/v1/` (`REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]`).
    A limit outside 1–200 or an offset that is not a whole number answers 400."""

    max_limit = 200

    def get_limit(self, request):
        raw = request.query_params.get(self.limit_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_limit):
            raise exceptions.ValidationError({self.limit_query_param: [_("A whole number from 1 to %(max)d.") % {"max": self.max_limit}]})
        return super().get_limit(request)

    def get_offset(self, request):
        raw = request.query_params.get(self.offset_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit()):
            raise exceptions.ValidationError({self.offset_query_param: [_("A whole number, 0 or more.")]})
        return super().get_offset(request)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for param in params:
            if param["name"] == self.limit_query_param:
                param["schema"].update({"minimum": 1, "maximum": self.max_limit})
            elif param["name"] == self.offset_query_param:
                param["schema"].update({"minimum": 0})
        return params
