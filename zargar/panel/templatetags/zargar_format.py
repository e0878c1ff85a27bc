"""Locale-aware formatting filters of the panel: Persian digits, Jalali dates, money.

    {% load zargar_format %}
    {{ item.quantity|localdigits }}      12        -> ۱۲ in Persian
    {{ item.created_at|localdate }}      a date    -> "۱۴۰۴/۰۹/۰۱" (Jalali) in Persian, "Nov. 22, 2025" in English
    {{ item.created_at|localdate:"datetime" }}     -> with the time ("۱۴۰۴/۰۹/۰۱ ۱۴:۰۵")
    {{ item.price|money }}               Decimal   -> "1,250.00 USD" / "۱٬۲۵۰٫۰۰ USD"
    {{ item.net_weight|localnumber:3 }}  Decimal   -> "1,234.500" / "۱٬۲۳۴٫۵۰۰"

Persian forms are used when the active language is `fa`. Datetimes are shown in the time zone
of the active shop (`zargar.tenancy.context.current_tenant()`, set for every panel request),
else in Django's current time zone. Values that are not numbers or dates pass through unchanged
(`None` renders as an empty string), so a filter never breaks a page.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal, InvalidOperation

import jdatetime
from django import template
from django.utils import formats, timezone, translation

register = template.Library()

_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
#: Persian thousands separator (U+066C) and decimal separator (U+066B).
_FA_GROUP, _FA_DECIMAL = "\u066c", "\u066b"
#: ISO 4217 currencies usually shown without minor units.
_ZERO_DECIMAL_CURRENCIES = {"IRR", "JPY", "KRW", "VND", "CLP", "ISK", "IQD", "UGX", "XOF", "XAF"}


def _persian() -> bool:
    return (translation.get_language() or "").split("-")[0] == "fa"


def to_persian_digits(text: str) -> str:
    """`text` with ASCII digits 0-9 replaced by Persian digits ۰-۹ (always, whatever the language)."""
    return text.translate(_PERSIAN_DIGITS)


def _as_decimal(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def format_number(value, places: int | None = None, *, grouping: bool = True) -> str:
    """`value` (int, float, Decimal or numeric string) with thousands separators and `places`
    decimals (as many as it has when None), in the active language's digits and separators.
    Non-numbers come back as `str(value)`."""
    number = _as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    text = f"{number:,f}" if grouping else f"{number:f}"
    if _persian():
        text = text.replace(",", "\0").replace(".", _FA_DECIMAL).replace("\0", _FA_GROUP).replace("-", "\u2212")
        text = to_persian_digits(text)
    return text


@register.filter
def localdigits(value):
    """Persian digits (and decimal separator for numbers) in Persian; unchanged otherwise.

    Works on ints, floats, Decimals and strings (only the digits of a string change)."""
    if value is None:
        return ""
    if not _persian():
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return format_number(value, grouping=False)
    return to_persian_digits(str(value))


@register.filter
def localnumber(value, places=None):
    """A number with thousands separators and `places` decimals, localised (see `format_number`)."""
    try:
        places = int(places) if places not in (None, "") else None
    except (TypeError, ValueError):
        places = None
    return format_number(value, places)


def _tenant_zone():
    from zargar.tenancy.context import current_tenant

    tenant = current_tenant()
    if tenant is not None and getattr(tenant, "time_zone", ""):
        try:
            return zoneinfo.ZoneInfo(tenant.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_current_timezone()


@register.filter
def localdate(value, mode="date"):
    """A date or datetime as text: Jalali `YYYY/MM/DD` with Persian digits in Persian,
    Django's localised `DATE_FORMAT` otherwise. `mode="datetime"` adds the time (HH:MM).
    Aware datetimes are converted to the active shop's time zone first."""
    if value in (None, ""):
        return ""
    if not isinstance(value, dt.date):
        return value
    with_time = mode == "datetime" and isinstance(value, dt.datetime)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = value.astimezone(_tenant_zone())
    if _persian():
        if isinstance(value, dt.datetime):
            jalali = jdatetime.datetime.fromgregorian(datetime=value.replace(tzinfo=None))
        else:
            jalali = jdatetime.date.fromgregorian(date=value)
        text = jalali.strftime("%Y/%m/%d %H:%M" if with_time else "%Y/%m/%d")
        return to_persian_digits(text)
    if with_time:
        return formats.date_format(value, "DATETIME_FORMAT")
    return formats.date_format(value.date() if isinstance(value, dt.datetime) else value, "DATE_FORMAT")


@register.filter
def money(value, currency=None):
    """A money amount with thousands separators and its currency code, e.g. "1,250.00 USD".

    `currency` defaults to the active shop's currency (`Tenant.currency`). Two decimals, none
    for currencies such as IRR and JPY. Persian digits and separators in Persian."""
    if value in (None, ""):
        return ""
    if _as_decimal(value) is None:
        return value
    if not currency:
        from zargar.tenancy.context import current_tenant

        tenant = current_tenant()
        currency = getattr(tenant, "currency", "") or ""
    currency = str(currency).upper()
    places = 0 if currency in _ZERO_DECIMAL_CURRENCIES else 2
    amount = format_number(value, places)
    return f"{amount}\u00a0{currency}" if currency else amount
