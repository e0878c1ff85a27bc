"""Shared pieces of the API's django-filter FilterSets (each module keeps its own in
`<module>/api/filters.py`; `DjangoFilterBackend` is the default filter backend).

An invalid filter value answers 400 `{"error": {"code": "invalid", "fields": {...}}}`."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

BIGINT_MAX = 2**63 - 1


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": BIGINT_MAX})
class IdFilter(django_filters.Filter):
    """An object id: a whole number from 1 to 2^63-1 (anything else is a 400, never a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


AMOUNT_MAX = 10**12


@extend_schema_field({"type": "number", "minimum": 0, "maximum": AMOUNT_MAX})
class AmountFilter(django_filters.NumberFilter):
    """A money amount bound (shop currency) from 0 to 10^12; the schema states the range."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", AMOUNT_MAX)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "boolean"})
class BoolFilter(django_filters.Filter):
    """`true` or `false` (also `1`/`0`, `True`/`False`); anything else is a 400."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false"), ("True", "True"), ("False", "False"), ("1", "1"), ("0", "0")])
        kwargs.setdefault("coerce", lambda value: value in ("true", "True", "1"))
        kwargs.setdefault("empty_value", None)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "maxLength": 100, "pattern": r"^[^\u0000]*$"})
class TextFilter(django_filters.CharFilter):
    """Text of at most 100 characters, no NUL characters (a 400 otherwise)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "maxLength": 100, "pattern": r"^[^\u0000]*$"})
class SearchFilter(django_filters.CharFilter):
    """`?q=` matching any of `fields` (at most 100 characters; blank means no filter).

    Each field is a model field path matched case-insensitively by substring (`icontains`), or,
    written `"=path"` as in Django admin's and DRF's `search_fields`, by whole value (`iexact`).
    `distinct=True` removes the repeats a to-many path (`lines__sku`) brings.

        q = SearchFilter("number", "customer__full_name", "=lines__sku", distinct=True)
    """

    def __init__(self, *fields: str, **kwargs):
        self.search_lookups = [f"{f[1:]}__iexact" if f.startswith("=") else f"{f}__icontains" for f in fields]
        kwargs.setdefault("max_length", 100)
        kwargs.setdefault("label", "Search in " + ", ".join(f.lstrip("=").replace("__", " ") for f in fields))
        super().__init__(method=self.search, **kwargs)

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        condition = Q()
        for lookup in self.search_lookups:
            condition |= Q(**{lookup: value})
        queryset = queryset.filter(condition)
        return queryset.distinct() if self.distinct else queryset


class _UtcDateTimeField(django_filters.fields.IsoDateTimeField):
    """ISO 8601 date-time, turned into UTC here (PostgreSQL refuses offsets beyond ±15:59); a
    value that cannot be expressed in UTC is a 400."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is not None and parsed.tzinfo is not None:
            try:
                parsed = parsed.astimezone(dt.timezone.utc)
            except (OverflowError, ValueError) as exc:
                raise forms.ValidationError(_("This date and time is out of range.")) from exc
        return parsed


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time filter (`2026-11-22T10:00:00Z`), compared in UTC."""

    field_class = _UtcDateTimeField


def date_range(field_name: str, *, help_text: str = "") -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    """Two filters on a date field, both days included: `(first day, last day)`, each
    `YYYY-MM-DD`. Unpack them into the FilterSet's parameters:

        sold_from, sold_to = date_range("sold_on")
    """
    suffix = f", {help_text}" if help_text else ""
    return (
        django_filters.DateFilter(field_name=field_name, lookup_expr="gte", help_text=f"First day (YYYY-MM-DD){suffix}"),
        django_filters.DateFilter(field_name=field_name, lookup_expr="lte", help_text=f"Last day (YYYY-MM-DD){suffix}"),
    )


def datetime_range(field_name: str) -> tuple[DateTimeFilter, DateTimeFilter]:
    """Two filters on a date-time field, `(from, before)`: from that ISO 8601 instant on
    (inclusive) and before that one (exclusive), compared in UTC, so consecutive ranges never
    overlap. Unpack them into the FilterSet's parameters:

        issued_after, issued_before = datetime_range("issued_at")
    """
    return (
        DateTimeFilter(field_name=field_name, lookup_expr="gte", help_text="ISO 8601 date-time, inclusive"),
        DateTimeFilter(field_name=field_name, lookup_expr="lt", help_text="ISO 8601 date-time, exclusive"),
    )


class ShopFilterSet(django_filters.FilterSet):
    """Base of the modules' FilterSets (their querysets are already the shop's).

    A parameter sent with an empty value (`?karat=`) is a 400, like any other value its filter
    does not accept, except for text searches, where empty means "no filter"."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, flt in self.filters.items():
            if isinstance(flt, django_filters.CharFilter):  # text: empty means no filter
                continue
            if name in self.data and self.data.get(name, None) == "" and name not in self.form.errors:
                self.form.add_error(name, _("Give a value or leave the parameter out."))
                valid = False
        return valid
