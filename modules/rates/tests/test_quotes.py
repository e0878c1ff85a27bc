"""Quotes lock the rate for the shop's configured minutes (a fixed `now`, no sleeping)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest

from modules.rates import actions, selectors
from modules.rates.models import PriceQuote
from modules.rates.pricing import PricingError
from zargar.tenancy.models import ModuleActivation

pytestmark = pytest.mark.django_db


def test_quote_uses_current_sell_rate_and_locks_it(in_shop, now):
    rate = actions.record_rate(in_shop, purity="gold_750", unit="gram", buy=D("95"), sell=D("100"), now=now - timedelta(hours=1), effective_at=now - timedelta(hours=1))
    # 10 g × 100 = 1000.00 ; making 10 % = 100.00 ; profit 7 % of 1100 = 77.00 ; Iran VAT 9 % of 177 = 15.93
    quote = actions.quote_price(
        in_shop, purity="gold_750", net_weight=D("10"), making_mode="percent", making_value=D("10"),
        profit_percent=D("7"), tax_rule="iran", vat_percent=D("9"), now=now,
    )
    assert quote.rate == rate and quote.total == D("1192.93") and quote.currency == "USD"
    assert quote.breakdown["metal_value"] == "1000.00" and quote.breakdown["vat"] == "15.93"
    assert quote.expires_at == now + timedelta(minutes=15)
    # a new rate after the quote does not change it, and it stays valid until expiry
    actions.record_rate(in_shop, purity="gold_750", unit="gram", buy=D("105"), sell=D("110"), now=now + timedelta(minutes=1), effective_at=now + timedelta(minutes=1))
    held = selectors.get_valid_quote(in_shop, quote.reference, now=now + timedelta(minutes=14, seconds=59))
    assert held.rate == rate and held.total == D("1192.93")
    with pytest.raises(selectors.QuoteExpired):
        selectors.get_valid_quote(in_shop, quote.reference, now=now + timedelta(minutes=15))


def test_lock_minutes_and_tax_defaults_come_from_shop_settings(in_shop, now):
    ModuleActivation.objects.update_or_create(
        tenant=in_shop, module_key="rates",
        defaults={"enabled": True, "configuration": {"quote_lock_minutes": 5, "tax_rule": "vat_total", "vat_percent": "5", "profit_percent": "0"}},
    )
    actions.record_rate(in_shop, purity="gold_916", unit="gram", buy=D("60"), sell=D("62.40"), now=now)
    # 5.5 g × 62.40 = 343.20 ; VAT on total 5 % = 17.16 ; total 360.36
    quote = actions.quote_price(in_shop, purity="gold_916", net_weight=D("5.5"), now=now)
    assert quote.total == D("360.36")
    assert quote.parameters["tax_rule"] == "vat_total"
    assert quote.expires_at - quote.created_at == timedelta(minutes=5)


def test_quote_errors_write_nothing(in_shop, now):
    with pytest.raises(PricingError) as info:
        actions.quote_price(in_shop, purity="gold_585", net_weight=D("3"), now=now)
    assert info.value.code == "no_rate"
    actions.record_rate(in_shop, purity="gold_585", unit="gram", buy=D("40"), sell=D("42"), now=now)
    with pytest.raises(PricingError) as info:
        actions.quote_price(in_shop, purity="gold_585", net_weight=D("-3"), now=now)
    assert info.value.code == "invalid_weight"
    assert not PriceQuote.objects.exists()


def test_unknown_quote_reference(in_shop):
    with pytest.raises(PriceQuote.DoesNotExist):
        selectors.get_valid_quote(in_shop, "not-a-uuid")
    with pytest.raises(PriceQuote.DoesNotExist):
        selectors.get_valid_quote(in_shop, "6f1c1c1e-0000-4000-8000-000000000000")
