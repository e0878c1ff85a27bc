"""Decimal numbers and text in API requests are JSON strings (`"12.50"`), never JSON numbers.

JSON numbers are binary floats in most clients (`0.1 + 0.2`), which is wrong for money and
weights; Stripe-style APIs take decimals as strings for the same reason. `strict_decimals()`
(called once from `ApiConfig.ready()`) makes every DRF `DecimalField` refuse a JSON number with
400 `{"error": {"code": "invalid", "fields": {"<field>": ["Send decimal numbers as strings, e.g. \"12.50\"."]}}}`;
the OpenAPI schema already documents these fields as strings with a pattern.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

_MESSAGE = _('Send decimal numbers as strings, e.g. "12.50".')


_TEXT_MESSAGE = _("Send text as a JSON string.")


def strict_decimals() -> None:
    """Also text: a DRF `CharField` (and its subclasses) refuses JSON numbers and booleans,
    which DRF would otherwise turn into text, so the schema's `type: string` is the truth."""
    for field, message in ((serializers.DecimalField, _MESSAGE), (serializers.CharField, _TEXT_MESSAGE)):
        if getattr(field, "_zargar_strict", False):
            continue
        field.to_internal_value = _strict(field.to_internal_value, message)
        field._zargar_strict = True


def _strict(lenient, message):
    def to_internal_value(self, data):
        if isinstance(data, (int, float)):  # bool is an int too
            raise serializers.ValidationError(message, code="invalid")
        return lenient(self, data)

    return to_internal_value
