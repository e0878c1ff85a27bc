"""Units of weight and metal purities used on a shop's rate board.

Everything here is pure `Decimal` arithmetic (never float) and independent of the database.

Weight units (grams per unit, the values this module uses):

| unit         | grams     | note                                                                 |
| ------------ | --------- | -------------------------------------------------------------------- |
| `gram`       | 1         |                                                                      |
| `mithqal`    | 4.6083    | the Iranian gold-market mithqal (مثقال), 4.6083 g                    |
| `tola`       | 11.6638   | the Indian/Gulf tola, 11.6638038 g exactly; 4 decimals as quoted     |
| `troy_ounce` | 31.1035   | the troy ounce, 31.1034768 g exactly; 4 decimals as quoted by the    |
|              |           | bullion trade                                                        |

Converting a weight *to* grams multiplies by the factor (exact). Converting a rate quoted *per
unit* to a rate per gram divides by the factor; the quotient is rounded with `ROUND_HALF_UP`
to `PER_GRAM_PLACES` (6) decimal places — the precision stored in the database as
`*_per_gram`. Six places keep the error of a per-gram rate below 0.0000005 of the currency,
i.e. under 0.00002 per troy ounce when converted back.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

#: Decimal places of a rate normalised per gram.
PER_GRAM_PLACES = 6
_PER_GRAM_QUANTUM = Decimal(1).scaleb(-PER_GRAM_PLACES)


class UnitError(ValueError):
    """An unknown weight unit or purity code; the message names it."""


class Unit(models.TextChoices):
    GRAM = "gram", _("Gram")
    MITHQAL = "mithqal", _("Mithqal (4.6083 g)")
    TOLA = "tola", _("Tola (11.6638 g)")
    TROY_OUNCE = "troy_ounce", _("Troy ounce (31.1035 g)")


#: Short lower-case names, for "per …" phrases.
UNIT_NAMES = {
    Unit.GRAM: _("gram"),
    Unit.MITHQAL: _("mithqal"),
    Unit.TOLA: _("tola"),
    Unit.TROY_OUNCE: _("troy ounce"),
}

#: Grams in one unit.
GRAMS_PER_UNIT: dict[str, Decimal] = {
    Unit.GRAM: Decimal("1"),
    Unit.MITHQAL: Decimal("4.6083"),
    Unit.TOLA: Decimal("11.6638"),
    Unit.TROY_OUNCE: Decimal("31.1035"),
}


def _as_decimal(value, what: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{what} must be a Decimal, not a float")
    return value if isinstance(value, Decimal) else Decimal(value)


def grams_per(unit: str) -> Decimal:
    """Grams in one `unit`. Raises `UnitError` for an unknown unit."""
    try:
        return GRAMS_PER_UNIT[Unit(unit)]
    except ValueError as exc:
        raise UnitError(f"unknown weight unit {unit!r}; use one of {', '.join(Unit.values)}") from exc


def to_grams(weight, unit: str) -> Decimal:
    """`weight` (Decimal, in `unit`) as grams: weight × grams per unit. Exact."""
    return _as_decimal(weight, "weight") * grams_per(unit)


def from_grams(grams, unit: str) -> Decimal:
    """`grams` (Decimal) expressed in `unit`: grams ÷ grams per unit (28 significant digits)."""
    return _as_decimal(grams, "weight") / grams_per(unit)


def rate_per_gram(rate, unit: str) -> Decimal:
    """A rate quoted per `unit` (money per unit) as money per gram: rate ÷ grams per unit,
    rounded half-up to 6 decimal places."""
    return (_as_decimal(rate, "rate") / grams_per(unit)).quantize(_PER_GRAM_QUANTUM, rounding=ROUND_HALF_UP)


def rate_per_unit(per_gram, unit: str) -> Decimal:
    """A rate per gram quoted per `unit`: rate × grams per unit (exact; round for display)."""
    return _as_decimal(per_gram, "rate") * grams_per(unit)


class Metal(models.TextChoices):
    GOLD = "gold", _("Gold")
    SILVER = "silver", _("Silver")
    PLATINUM = "platinum", _("Platinum")


class Purity(models.TextChoices):
    """A metal at a fineness (parts per thousand): the rows of a rate board.

    Gold fineness follows the trade stamp, not karat/24 exactly (22K is stamped 916, 14K 585;
    24K is sold as 999).
    """

    GOLD_999 = "gold_999", _("Gold 24K (999)")
    GOLD_916 = "gold_916", _("Gold 22K (916)")
    GOLD_875 = "gold_875", _("Gold 21K (875)")
    GOLD_750 = "gold_750", _("Gold 18K (750)")
    GOLD_585 = "gold_585", _("Gold 14K (585)")
    SILVER_999 = "silver_999", _("Silver (999)")
    SILVER_925 = "silver_925", _("Silver sterling (925)")
    PLATINUM_950 = "platinum_950", _("Platinum (950)")


@dataclass(frozen=True)
class PurityInfo:
    code: str
    metal: str
    fineness: int  # parts per thousand
    karat: int | None  # gold only


PURITIES: dict[str, PurityInfo] = {
    Purity.GOLD_999: PurityInfo(Purity.GOLD_999, Metal.GOLD, 999, 24),
    Purity.GOLD_916: PurityInfo(Purity.GOLD_916, Metal.GOLD, 916, 22),
    Purity.GOLD_875: PurityInfo(Purity.GOLD_875, Metal.GOLD, 875, 21),
    Purity.GOLD_750: PurityInfo(Purity.GOLD_750, Metal.GOLD, 750, 18),
    Purity.GOLD_585: PurityInfo(Purity.GOLD_585, Metal.GOLD, 585, 14),
    Purity.SILVER_999: PurityInfo(Purity.SILVER_999, Metal.SILVER, 999, None),
    Purity.SILVER_925: PurityInfo(Purity.SILVER_925, Metal.SILVER, 925, None),
    Purity.PLATINUM_950: PurityInfo(Purity.PLATINUM_950, Metal.PLATINUM, 950, None),
}


def purity_info(code: str) -> PurityInfo:
    """Metal, fineness and karat of purity `code`. Raises `UnitError` for an unknown code."""
    try:
        return PURITIES[Purity(code)]
    except ValueError as exc:
        raise UnitError(f"unknown purity {code!r}; use one of {', '.join(Purity.values)}") from exc


def purity_for_karat(karat: int) -> str | None:
    """The gold purity code for a karat (24, 22, 21, 18, 14), or None when the board has no row
    for it (e.g. 10K). Used to price inventory pieces, which record a karat."""
    for info in PURITIES.values():
        if info.metal == Metal.GOLD and info.karat == karat:
            return info.code
    return None
