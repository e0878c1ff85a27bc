"""The panel's formatting filters: Persian digits, Jalali dates, money and numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from zargar.panel.templatetags.zargar_format import localdate, localdigits, localnumber, money
from zargar.tenancy.context import tenant_context

from ..factories import make_shop


def test_localdigits_in_persian_converts_numbers_decimals_and_strings():
    with translation.override("fa"):
        assert localdigits(1234567890) == "۱۲۳۴۵۶۷۸۹۰"
        assert localdigits(Decimal("12.500")) == "۱۲٫۵۰۰"
        assert localdigits("SKU-042 / 18K") == "SKU-۰۴۲ / ۱۸K"
        assert localdigits(-7) == "−۷"
        assert localdigits(None) == ""


def test_localdigits_in_english_leaves_values_unchanged():
    with translation.override("en"):
        assert localdigits(1234) == 1234
        assert localdigits(Decimal("12.500")) == Decimal("12.500")
        assert localdigits("SKU-042") == "SKU-042"


def test_localnumber_groups_thousands_and_fixes_places():
    with translation.override("en"):
        assert localnumber(Decimal("1234.5"), 3) == "1,234.500"
        assert localnumber(1234567) == "1,234,567"
        assert localnumber("not a number") == "not a number"
    with translation.override("fa"):
        assert localnumber(Decimal("1234.5"), 3) == "۱٬۲۳۴٫۵۰۰"


def test_money_with_explicit_currency():
    with translation.override("en"):
        assert money(Decimal("1250"), "usd") == "1,250.00\u00a0USD"
        assert money(Decimal("12500000.4"), "IRR") == "12,500,000\u00a0IRR"  # no minor units shown for rials
        assert money(None) == ""
    with translation.override("fa"):
        assert money(Decimal("1250.5"), "EUR") == "۱٬۲۵۰٫۵۰\u00a0EUR"


@pytest.mark.django_db
def test_money_and_localdate_use_the_active_shops_currency_and_time_zone():
    tenant, owner = make_shop("Tehran Gold")
    tenant.currency, tenant.time_zone = "IRR", "Asia/Tehran"
    tenant.save()
    # 2025-11-21 22:00 UTC is already 2025-11-22 (01:30) in Tehran, i.e. 1404/09/01 in the Jalali calendar.
    moment = dt.datetime(2025, 11, 21, 22, 0, tzinfo=dt.timezone.utc)
    with tenant_context(tenant, user=owner):
        with translation.override("fa"):
            assert money(Decimal("1500000")) == "۱٬۵۰۰٬۰۰۰\u00a0IRR"
            assert localdate(moment) == "۱۴۰۴/۰۹/۰۱"
            assert localdate(moment, "datetime") == "۱۴۰۴/۰۹/۰۱ ۰۱:۳۰"
        with translation.override("en"):
            assert localdate(moment) == "Nov. 22, 2025"
    with translation.override("en"):
        assert localdate(moment) == "Nov. 21, 2025"  # no shop active: Django's time zone (UTC)


def test_localdate_plain_dates_and_other_values():
    with translation.override("fa"):
        assert localdate(dt.date(2024, 3, 20)) == "۱۴۰۳/۰۱/۰۱"  # Nowruz 1403
        assert localdate(None) == ""
        assert localdate("not a date") == "not a date"
    with translation.override("en"):
        assert localdate(dt.date(2024, 3, 20)) == "March 20, 2024"


def test_filters_in_a_template():
    template = Template('{% load zargar_format %}{{ n|localdigits }} {{ d|localdate }} {{ p|money:"USD" }}')
    context = Context({"n": 42, "d": dt.date(2025, 11, 22), "p": Decimal("99.9")})
    with translation.override("fa"):
        assert template.render(context) == "۴۲ ۱۴۰۴/۰۹/۰۱ ۹۹٫۹۰\u00a0USD"
    with translation.override("en"):
        assert template.render(context) == "42 Nov. 22, 2025 99.90\u00a0USD"
