"""API errors as JSON: `{"error": {"code": "...", "message": "...", "fields": {...}}}`.

Status codes follow the usual REST split (and Schemathesis' expectations):
- 400: the request itself is malformed or a value is out of its allowed range;
- 404 `resource_missing`: a well-formed request names an object the shop does not have
  (an item id, a barcode, a location, a customer); `error.fields` names the field;
- 409: the request is well formed but the shop's current state refuses it
  (`out_of_stock`, `insufficient_credit`, `not_open`, …).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _first_message(detail) -> str:
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    if isinstance(detail, dict) and detail:
        key, value = next(iter(detail.items()))
        message = _first_message(value)
        return message if key == "non_field_errors" else f"{key}: {message}"
    return str(detail)


#: Error codes of the services that mean "a named object does not exist" (answered 404).
NOT_FOUND_CODES = frozenset({
    "does_not_exist", "resource_missing", "unknown_item", "unknown_barcode", "unknown_lot", "unknown_quote",
    "unknown_customer", "unknown_sale",
})
#: Error codes that mean "the shop's current state refuses this" (answered 409).
CONFLICT_CODES = frozenset({"out_of_stock", "insufficient_credit", "not_open", "quote_expired"})


def status_for_code(code: str) -> int:
    """The HTTP status of a service error code (400 unless listed above)."""
    if code in NOT_FOUND_CODES:
        return status.HTTP_404_NOT_FOUND
    if code in CONFLICT_CODES:
        return status.HTTP_409_CONFLICT
    return status.HTTP_400_BAD_REQUEST


def _flat_codes(codes) -> set[str]:
    if isinstance(codes, dict):
        return set().union(*(_flat_codes(v) for v in codes.values())) if codes else set()
    if isinstance(codes, list):
        return set().union(*(_flat_codes(v) for v in codes)) if codes else set()
    return {str(codes)}


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        codes = _flat_codes(exc.get_codes())
        if codes and codes <= NOT_FOUND_CODES:  # e.g. a related id the shop does not have
            response.status_code = status.HTTP_404_NOT_FOUND
            body = {"code": "resource_missing", "message": _first_message(exc.detail), "fields": exc.detail}
        elif codes and codes <= CONFLICT_CODES:  # e.g. a service's out_of_stock raised as a field error
            response.status_code = status.HTTP_409_CONFLICT
            body = {"code": sorted(codes)[0], "message": _first_message(exc.detail), "fields": exc.detail}
        else:
            body = {"code": "invalid", "message": _first_message(exc.detail), "fields": exc.detail}
    else:
        detail = getattr(exc, "detail", None)
        code = detail.code if hasattr(detail, "code") else getattr(exc, "default_code", "error")
        body = {"code": str(code), "message": str(detail if detail is not None else exc)}
    response.data = {"error": body}
    return response


def error_response(code: str, message: str, http_status: int | None = None, *, field: str | None = None) -> Response:
    """A JSON error; the status defaults to `status_for_code(code)`; `field` (a body field, a
    parameter or a header) is named in `error.fields` as DRF's validation errors are."""
    if http_status is None:
        http_status = status_for_code(code)
    body = {"code": code, "message": message, "fields": {field or "non_field_errors": [message]}}
    return Response({"error": body}, status=http_status)
