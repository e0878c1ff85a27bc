"""Money in minor units, billing periods, and proration.

Amounts on invoices are integers in the currency's minor unit (`minor_unit_exponent`: USD and
EUR 2 → cents, IRR and JPY 0, KWD 3). A plan price `Decimal("29.00")` USD is 2900.

Proration (day-based, like Stripe's `create_prorations` for a licensed price)
------------------------------------------------------------------------------
For a change on date `d` inside the period `[start, end)`:

    period_days    = (end - start).days
    remaining_days = (end - d).days
    credit  = -round(old_price × remaining_days / period_days)   # unused time on the old price
    charge  =  round(new_price × remaining_days / period_days)   # remaining time on the new price

prices in minor units, `round` = half away from zero (ROUND_HALF_UP on the magnitude). The period
does not move. An upgrade nets a positive amount (invoiced now); a downgrade nets a negative one,
kept as the shop's credit balance and applied to its next invoice.

Worked example: a 30-day period 2026-04-01 → 2026-05-01, Basic 10.00 → Pro 25.00 USD on
2026-04-16 (15 days left): credit = -round(1000 × 15/30) = -500, charge = round(2500 × 15/30)
= 1250; net 750 = 7.50 USD.

A billing-cycle change (monthly ↔ yearly) resets the period: the period restarts on `d` and
runs one new cycle; the unused old time is credited as above and the full new price is
charged. E.g. monthly 10.00 → yearly 100.00 on 2026-04-11 in the April period (20 days left):
credit = -round(1000 × 20/30) = -667, charge = 10000, net 9333.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta

ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "IRR", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"}
THREE_DECIMAL = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}


def minor_unit_exponent(currency: str) -> int:
    currency = currency.upper()
    if currency in ZERO_DECIMAL:
        return 0
    if currency in THREE_DECIMAL:
        return 3
    return 2


def to_minor(amount: Decimal, currency: str) -> int:
    """`Decimal` amount → integer minor units (rounded half up)."""
    exp = minor_unit_exponent(currency)
    return int((Decimal(amount) * (10**exp)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_minor(amount: int, currency: str) -> Decimal:
    exp = minor_unit_exponent(currency)
    return (Decimal(amount) / (10**exp)).quantize(Decimal(1).scaleb(-exp))


def format_minor(amount: int, currency: str) -> str:
    return f"{from_minor(amount, currency):,} {currency.upper()}"


def round_half_up(value: Decimal) -> int:
    sign = -1 if value < 0 else 1
    return sign * int(abs(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def add_cycle(start: dt.date, cycle: str) -> dt.date:
    """The end (exclusive) of one billing cycle starting on `start`."""
    return start + (relativedelta(years=1) if cycle == "yearly" else relativedelta(months=1))


@dataclass(frozen=True)
class Proration:
    credit_minor: int  # ≤ 0
    charge_minor: int  # ≥ 0
    remaining_days: int
    period_days: int
    new_period_start: dt.date
    new_period_end: dt.date

    @property
    def net_minor(self) -> int:
        return self.credit_minor + self.charge_minor


def prorate(*, old_price_minor: int, new_price_minor: int, period_start: dt.date, period_end: dt.date, change_date: dt.date, old_cycle: str, new_cycle: str) -> Proration:
    """Proration of a change on `change_date` (see the module docstring for the formula).

    Raises `ValueError` when `change_date` is outside `[period_start, period_end)`.
    """
    if not period_start <= change_date < period_end:
        raise ValueError("change date outside the current period")
    period_days = (period_end - period_start).days
    remaining = (period_end - change_date).days
    credit = -round_half_up(Decimal(old_price_minor) * remaining / period_days)
    if old_cycle == new_cycle:
        charge = round_half_up(Decimal(new_price_minor) * remaining / period_days)
        return Proration(credit, charge, remaining, period_days, period_start, period_end)
    return Proration(credit, new_price_minor, remaining, period_days, change_date, add_cycle(change_date, new_cycle))
