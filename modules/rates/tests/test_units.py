"""Weight units and purities: exact Decimal conversions."""

from decimal import Decimal

import pytest

from modules.rates.units import (
    GRAMS_PER_UNIT,
    Purity,
    Unit,
    UnitError,
    from_grams,
    purity_for_karat,
    purity_info,
    rate_per_gram,
    rate_per_unit,
    to_grams,
)


def test_grams_per_unit_table():
    assert GRAMS_PER_UNIT == {
        Unit.GRAM: Decimal("1"),
        Unit.MITHQAL: Decimal("4.6083"),
        Unit.TOLA: Decimal("11.6638"),
        Unit.TROY_OUNCE: Decimal("31.1035"),
    }


@pytest.mark.parametrize(
    ("weight", "unit", "grams"),
    [
        ("1", "mithqal", "4.6083"),
        ("2.5", "mithqal", "11.52075"),  # 2.5 × 4.6083
        ("1", "tola", "11.6638"),
        ("10", "tola", "116.6380"),
        ("1", "troy_ounce", "31.1035"),
        ("0.5", "troy_ounce", "15.55175"),
        ("7.25", "gram", "7.25"),
    ],
)
def test_to_grams_is_exact(weight, unit, grams):
    assert to_grams(Decimal(weight), unit) == Decimal(grams)


@pytest.mark.parametrize(("unit", "factor"), [("mithqal", "4.6083"), ("tola", "11.6638"), ("troy_ounce", "31.1035")])
def test_round_trip_through_grams(unit, factor):
    assert from_grams(Decimal(factor), unit) == Decimal(1)
    assert from_grams(to_grams(Decimal("3.125"), unit), unit) == Decimal("3.125")


def test_rate_per_gram_rounds_half_up_to_six_places():
    # 1000 per mithqal ÷ 4.6083 = 216.99976130026... → 216.999761
    assert rate_per_gram(Decimal("1000"), "mithqal") == Decimal("216.999761")
    # 2000 per troy ounce ÷ 31.1035 = 64.30144517498... → 64.301445
    assert rate_per_gram(Decimal("2000"), "troy_ounce") == Decimal("64.301445")
    # 5000 per tola ÷ 11.6638 = 428.67676057545... → 428.676761
    assert rate_per_gram(Decimal("5000"), "tola") == Decimal("428.676761")
    assert rate_per_gram(Decimal("65.5"), "gram") == Decimal("65.500000")
    # half-up, not banker's rounding: ...25 at the 7th place goes up
    assert rate_per_gram(Decimal("0.0000025"), "gram") == Decimal("0.000003")
    # a gram rate quoted per mithqal: 100 × 4.6083 = 460.83 exactly
    assert rate_per_unit(Decimal("100"), "mithqal") == Decimal("460.8300")


def test_unknown_unit_and_float_are_refused():
    with pytest.raises(UnitError, match="unknown weight unit 'pound'"):
        to_grams(Decimal(1), "pound")
    with pytest.raises(TypeError, match="not a float"):
        to_grams(1.5, "gram")


def test_purities():
    assert [purity_info(code).fineness for code in Purity.values] == [999, 916, 875, 750, 585, 999, 925, 950]
    assert purity_info("gold_750").karat == 18
    assert purity_for_karat(22) == "gold_916"
    assert purity_for_karat(10) is None
    with pytest.raises(UnitError, match="unknown purity"):
        purity_info("gold_999.9")
