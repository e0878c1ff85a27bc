"""Pricing of a piece: hand-computed examples (the arithmetic is in each comment)."""

from decimal import Decimal as D

import pytest

from modules.rates.pricing import ExtraLine, MakingMode, PricingError, TaxRule, fine_weight, price_piece, round_money


def _price(**kw):
    args = dict(net_weight=D("10"), fineness=750, rate_per_gram=D("100"), currency="USD")
    args.update(kw)
    return price_piece(**args)


def test_percent_making_with_iranian_vat():
    # 10 g of 18K at 100.00/g:
    #   metal   = 10 × 100            = 1000.00
    #   making  = 1000.00 × 10 %      =  100.00
    #   profit  = (1000 + 100) × 7 %  =   77.00
    #   VAT base (Iran) = 100 + 77    =  177.00 ; VAT 9 % = 15.93
    #   total   = 1000 + 100 + 77 + 15.93 = 1192.93
    b = _price(making_mode=MakingMode.PERCENT, making_value=D("10"), profit_percent=D("7"), tax_rule=TaxRule.IRAN, vat_percent=D("9"))
    assert (b.metal_value, b.making_charge, b.profit) == (D("1000.00"), D("100.00"), D("77.00"))
    assert (b.vat_base, b.vat, b.total) == (D("177.00"), D("15.93"), D("1192.93"))
    assert b.fine_weight == D("7.5")  # 10 × 750 / 1000


def test_percent_making_with_vat_on_total():
    # same piece, VAT 9 % on the whole price: base 1177.00 → VAT 105.93; total 1282.93
    b = _price(making_mode=MakingMode.PERCENT, making_value=D("10"), profit_percent=D("7"), tax_rule=TaxRule.VAT_TOTAL, vat_percent=D("9"))
    assert (b.subtotal, b.vat_base, b.vat, b.total) == (D("1177.00"), D("1177.00"), D("105.93"), D("1282.93"))


def test_per_gram_making_with_wastage_and_stone():
    # 5.5 g of 22K at 62.40/g:
    #   metal   = 5.5 × 62.40         = 343.20
    #   wastage = 343.20 × 8 %        =  27.456   → 27.46 (weight 5.5 × 8 % = 0.44 g)
    #   making  = 5.5 × 4.25          =  23.375   → 23.38 (half-up)
    #   stone   = 120.00
    #   no profit; VAT 5 % on total: subtotal 514.04 → 25.702 → 25.70 ; total 539.74
    b = price_piece(
        net_weight=D("5.5"), fineness=916, rate_per_gram=D("62.40"), currency="AED",
        making_mode=MakingMode.PER_GRAM, making_value=D("4.25"), wastage_percent=D("8"),
        lines=[ExtraLine("Diamond 0.1 ct", D("120"))], tax_rule=TaxRule.VAT_TOTAL, vat_percent=D("5"),
    )
    assert b.metal_value == D("343.20")
    assert (b.wastage_weight, b.wastage_value) == (D("0.44"), D("27.46"))
    assert b.making_charge == D("23.38")
    assert b.lines_total == D("120.00")
    assert (b.subtotal, b.vat, b.total) == (D("514.04"), D("25.70"), D("539.74"))
    assert b.subtotal == b.metal_value + b.wastage_value + b.making_charge + b.lines_total + b.profit


def test_fixed_making_in_rials_with_iranian_vat():
    # 3.2 g of 18K at 62,500,000 IRR/g (whole rials):
    #   metal  = 3.2 × 62,500,000       = 200,000,000
    #   making = fixed 15,000,000
    #   profit = (200,000,000 + 15,000,000) × 7 % = 15,050,000
    #   stone line 4,000,000 (taxable under the Iran rule: only metal value is exempt)
    #   VAT base = 15,000,000 + 15,050,000 + 4,000,000 = 34,050,000 ; 10 % = 3,405,000
    #   total = 200,000,000 + 15,000,000 + 15,050,000 + 4,000,000 + 3,405,000 = 237,455,000
    b = price_piece(
        net_weight=D("3.2"), fineness=750, rate_per_gram=D("62500000"), currency="IRR",
        making_mode=MakingMode.FIXED, making_value=D("15000000"), profit_percent=D("7"),
        lines=[ExtraLine("Stone", D("4000000"))], tax_rule=TaxRule.IRAN, vat_percent=D("10"),
    )
    assert (b.metal_value, b.making_charge, b.profit) == (D("200000000"), D("15000000"), D("15050000"))
    assert (b.vat_base, b.vat, b.total) == (D("34050000"), D("3405000"), D("237455000"))
    assert b.total.as_tuple().exponent == 0


def test_no_tax_rule():
    # 2 g at 50.005/g: metal = 100.01 ; fixed making 20 ; total 120.01, no VAT even if a percent is given
    b = _price(net_weight=D("2"), rate_per_gram=D("50.005"), making_mode=MakingMode.FIXED, making_value=D("20"), vat_percent=D("20"))
    assert (b.metal_value, b.vat, b.total) == (D("100.01"), D("0.00"), D("120.01"))


@pytest.mark.parametrize(
    ("currency", "amount", "rounded"),
    [
        ("USD", "10.005", "10.01"),  # half-up, not banker's (10.00)
        ("EUR", "10.0049", "10.00"),
        ("GBP", "2.675", "2.68"),
        ("AED", "0.125", "0.13"),
        ("IRR", "12345.5", "12346"),  # whole rials
        ("TRY", "99.995", "100.00"),
        ("INR", "1.115", "1.12"),
        ("KWD", "1.2345", "1.235"),  # 3 decimals (fils)
        ("JPY", "1500.5", "1501"),
    ],
)
def test_round_money_per_currency(currency, amount, rounded):
    assert round_money(D(amount), currency) == D(rounded)
    assert str(round_money(D(amount), currency)) == rounded


def test_breakdown_as_json_has_no_float():
    data = _price(making_value=D("12.5")).as_json()
    assert data["total"] == "1125.00" and data["making_charge"] == "125.00"
    assert not any(isinstance(v, float) for v in data.values())


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"rate_per_gram": None}, "no_rate"),
        ({"net_weight": D("-1")}, "invalid_weight"),
        ({"net_weight": D("0")}, "invalid_weight"),
        ({"rate_per_gram": D("0")}, "invalid_rate"),
        ({"making_value": D("-5")}, "invalid_amount"),
        ({"wastage_percent": D("-1")}, "invalid_percent"),
        ({"making_mode": "per_piece"}, "invalid_mode"),
        ({"tax_rule": "gst"}, "invalid_tax_rule"),
        ({"currency": "XXX"}, "unknown_currency"),
        ({"net_weight": 1.5}, "float_not_allowed"),
        ({"lines": [ExtraLine("discount", D("-10"))]}, "invalid_amount"),
    ],
)
def test_bad_input_raises_pricing_error(kwargs, code):
    with pytest.raises(PricingError) as info:
        _price(**kwargs)
    assert info.value.code == code
    assert info.value.message


def test_fine_weight():
    assert fine_weight(D("4.6083"), 999) == D("4.6036917")
