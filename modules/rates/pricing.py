"""Pricing of a jewellery piece from the board rate: pure functions on `Decimal`.

No database, no floats. Every money line is rounded to the currency's minor unit with
`ROUND_HALF_UP` as it is computed, percentages are taken of the *rounded* lines (what the
customer sees on the invoice), and the total is the sum of the rounded lines — so the printed
lines always add up to the printed total.

Trade conventions chosen here (see `price_piece` for the formulas):

* **Metal value.** Shops quote a board rate per purity: "18K: 100.00 per gram" is the price of
  one gram of 18K metal, not of the fine gold in it. The metal value is therefore
  `net weight (g) × sell rate per gram of that purity`. The fine weight
  (`net weight × fineness / 1000`, grams of pure metal) is reported for information; it would
  be multiplied by the 24K/999 rate under the other convention, which this module does not use.
* **Wastage** (Indian "wastage", the metal lost in making and charged to the customer) is a
  percentage of the net weight: `wastage weight = net weight × wastage % / 100`, charged at the
  same rate, i.e. `wastage value = metal value × wastage % / 100`. It is labour-side: it is not
  metal the customer receives, so the Iranian VAT rule taxes it with the making charge.
* **Making charge** (اجرت): a percentage of the metal value, an amount per gram of net weight,
  or a fixed amount.
* **Profit** (سود فروشنده): `(metal value + wastage value + making charge) × profit % / 100`,
  the base used by Iranian gold-price calculators. Stones and other lines are fixed sale amounts
  and carry no profit line of their own.
* **Tax.** `vat_total`: VAT on the whole price (the usual rule: EU, UK, UAE, India's GST on the
  total). `iran`: Iran's VAT law (قانون مالیات بر ارزش افزوده, 1400, gold articles) exempts
  the raw-gold value, so VAT applies to everything except the metal value — the making charge,
  wastage and profit, plus stones and other lines (goods that are not exempt).

Currency minor units follow ISO 4217, with one documented exception: the Iranian rial (IRR) is
listed with 2 decimals in ISO 4217 but the dinar is not used in practice, so this module rounds
IRR to whole rials (exponent 0).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

HUNDRED = Decimal(100)
THOUSAND = Decimal(1000)

#: Decimal places of the minor unit per ISO 4217 currency (IRR: 0 in practice, see above).
CURRENCY_EXPONENTS: dict[str, int] = {
    "USD": 2, "EUR": 2, "GBP": 2, "AED": 2, "IRR": 0, "TRY": 2, "INR": 2,
    "AFN": 2, "AUD": 2, "AZN": 2, "BHD": 3, "CAD": 2, "CHF": 2, "CNY": 2, "EGP": 2, "HKD": 2,
    "IQD": 3, "JOD": 3, "JPY": 0, "KRW": 0, "KWD": 3, "LYD": 3, "MYR": 2, "OMR": 3, "PKR": 2,
    "QAR": 2, "RUB": 2, "SAR": 2, "SGD": 2, "THB": 2, "TND": 3, "TJS": 2, "UZS": 2, "ZAR": 2,
}


class PricingError(ValueError):
    """Pricing cannot be done; `code` is a stable machine-readable reason, the message says why.

    Codes: `no_rate`, `invalid_rate`, `invalid_weight`, `invalid_percent`, `invalid_amount`,
    `invalid_mode`, `invalid_tax_rule`, `unknown_currency`, `float_not_allowed`.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class MakingMode:
    PERCENT = "percent"  # % of the metal value
    PER_GRAM = "per_gram"  # money per gram of net weight
    FIXED = "fixed"  # one amount for the piece
    ALL = (PERCENT, PER_GRAM, FIXED)


class TaxRule:
    NONE = "none"
    VAT_TOTAL = "vat_total"  # VAT on the whole price
    IRAN = "iran"  # VAT on everything but the metal value (making, wastage, profit, other lines)
    ALL = (NONE, VAT_TOTAL, IRAN)


def _dec(value, what: str, code: str) -> Decimal:
    if isinstance(value, float):
        raise PricingError("float_not_allowed", f"{what} must be a Decimal (or a string/int), not a float")
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise PricingError(code, f"{what} is not a number: {value!r}") from exc
    if not result.is_finite():
        raise PricingError(code, f"{what} is not a finite number: {value!r}")
    return result


def currency_exponent(currency: str) -> int:
    """Decimal places of `currency`'s minor unit (ISO 4217; IRR 0). Raises `PricingError`
    (`unknown_currency`) for a code missing from `CURRENCY_EXPONENTS`."""
    try:
        return CURRENCY_EXPONENTS[str(currency).upper()]
    except KeyError as exc:
        raise PricingError("unknown_currency", f"no minor-unit rule for currency {currency!r}") from exc


def round_money(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded half-up to the minor unit of `currency` (USD 2 places, KWD 3, IRR 0)."""
    return _dec(amount, "amount", "invalid_amount").quantize(Decimal(1).scaleb(-currency_exponent(currency)), rounding=ROUND_HALF_UP)


def fine_weight(net_weight_g: Decimal, fineness: int) -> Decimal:
    """Grams of pure metal: net weight (g) × fineness / 1000. E.g. 10 g of 750 → 7.5 g."""
    return _dec(net_weight_g, "net weight", "invalid_weight") * Decimal(fineness) / THOUSAND


@dataclass(frozen=True)
class ExtraLine:
    """A fixed-amount line of a piece: a stone, a certificate, a box. `amount` ≥ 0, currency."""

    label: str
    amount: Decimal


@dataclass(frozen=True)
class PriceBreakdown:
    """Every line of a piece's price. Weights in grams, money in `currency` rounded to its minor
    unit, percentages as given (e.g. `Decimal("7")` = 7 %)."""

    currency: str
    net_weight: Decimal
    fineness: int
    fine_weight: Decimal
    rate_per_gram: Decimal
    metal_value: Decimal
    wastage_percent: Decimal
    wastage_weight: Decimal
    wastage_value: Decimal
    making_mode: str
    making_input: Decimal
    making_charge: Decimal
    lines: tuple[ExtraLine, ...]
    lines_total: Decimal
    profit_percent: Decimal
    profit: Decimal
    subtotal: Decimal
    tax_rule: str
    vat_percent: Decimal
    vat_base: Decimal
    vat: Decimal
    total: Decimal

    def as_json(self) -> dict:
        """The breakdown as JSON-safe data: Decimals as strings (no float ever)."""

        def conv(value):
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, (list, tuple)):
                return [conv(v) for v in value]
            if isinstance(value, dict):
                return {k: conv(v) for k, v in value.items()}
            return value

        return conv(asdict(self))


def price_piece(
    *,
    net_weight: Decimal,
    fineness: int,
    rate_per_gram: Decimal | None,
    currency: str,
    making_mode: str = MakingMode.PERCENT,
    making_value: Decimal = Decimal(0),
    wastage_percent: Decimal = Decimal(0),
    profit_percent: Decimal = Decimal(0),
    lines: tuple[ExtraLine, ...] | list[ExtraLine] = (),
    tax_rule: str = TaxRule.NONE,
    vat_percent: Decimal = Decimal(0),
) -> PriceBreakdown:
    """Price one piece. All money is in `currency`; `R(x)` is `round_money(x, currency)`.

    Inputs: `net_weight` grams of metal (> 0, stones excluded); `fineness` parts per thousand;
    `rate_per_gram` the board *sell* rate per gram of that purity (> 0, None → `no_rate`);
    `making_value` a percent, an amount per gram or a fixed amount by `making_mode`;
    percentages are in percent (≥ 0). Formulas:

        fine weight    = net weight × fineness / 1000                         (g, reported)
        metal value    = R(net weight × rate per gram)
        wastage weight = net weight × wastage % / 100                         (g)
        wastage value  = R(metal value × wastage % / 100)
        making charge  = R(metal value × making % / 100)    mode "percent"
                       = R(net weight × making per gram)      mode "per_gram"
                       = R(making amount)                     mode "fixed"
        lines total    = Σ R(line amount)
        profit         = R((metal value + wastage value + making charge) × profit % / 100)
        subtotal       = metal value + wastage value + making charge + lines total + profit
        VAT base       = 0 (none) | subtotal (vat_total) | subtotal − metal value (iran)
        VAT            = R(VAT base × VAT % / 100)
        total          = subtotal + VAT

    Raises `PricingError` for no rate, a weight or rate ≤ 0, a negative percent or amount, an
    unknown making mode, tax rule or currency, or a float argument.
    """
    if rate_per_gram is None:
        raise PricingError("no_rate", "there is no board rate for this purity")
    currency_exponent(currency)  # fail early on an unknown currency
    net = _dec(net_weight, "net weight", "invalid_weight")
    if net <= 0:
        raise PricingError("invalid_weight", "net weight must be more than 0 grams")
    rate = _dec(rate_per_gram, "rate per gram", "invalid_rate")
    if rate <= 0:
        raise PricingError("invalid_rate", "the rate per gram must be more than 0")
    if making_mode not in MakingMode.ALL:
        raise PricingError("invalid_mode", f"unknown making-charge mode {making_mode!r}; use one of {', '.join(MakingMode.ALL)}")
    if tax_rule not in TaxRule.ALL:
        raise PricingError("invalid_tax_rule", f"unknown tax rule {tax_rule!r}; use one of {', '.join(TaxRule.ALL)}")
    making_in = _dec(making_value, "making charge", "invalid_amount")
    wastage_pct = _dec(wastage_percent, "wastage percent", "invalid_percent")
    profit_pct = _dec(profit_percent, "profit percent", "invalid_percent")
    vat_pct = _dec(vat_percent, "VAT percent", "invalid_percent")
    for name, value in (("wastage percent", wastage_pct), ("profit percent", profit_pct), ("VAT percent", vat_pct)):
        if value < 0:
            raise PricingError("invalid_percent", f"{name} cannot be negative")
    if making_in < 0:
        raise PricingError("invalid_amount", "the making charge cannot be negative")
    clean_lines = []
    for line in lines:
        amount = _dec(line.amount, f"amount of {line.label!r}", "invalid_amount")
        if amount < 0:
            raise PricingError("invalid_amount", f"the amount of {line.label!r} cannot be negative")
        clean_lines.append(ExtraLine(str(line.label), round_money(amount, currency)))

    def R(x: Decimal) -> Decimal:
        return round_money(x, currency)

    metal_value = R(net * rate)
    wastage_weight = net * wastage_pct / HUNDRED
    wastage_value = R(metal_value * wastage_pct / HUNDRED)
    if making_mode == MakingMode.PERCENT:
        making = R(metal_value * making_in / HUNDRED)
    elif making_mode == MakingMode.PER_GRAM:
        making = R(net * making_in)
    else:
        making = R(making_in)
    lines_total = sum((line.amount for line in clean_lines), Decimal(0))
    lines_total = R(lines_total)
    profit = R((metal_value + wastage_value + making) * profit_pct / HUNDRED)
    subtotal = metal_value + wastage_value + making + lines_total + profit
    if tax_rule == TaxRule.NONE:
        vat_base, vat_pct = R(Decimal(0)), Decimal(0)
    elif tax_rule == TaxRule.VAT_TOTAL:
        vat_base = subtotal
    else:
        vat_base = subtotal - metal_value
    vat = R(vat_base * vat_pct / HUNDRED)
    return PriceBreakdown(
        currency=str(currency).upper(),
        net_weight=net,
        fineness=int(fineness),
        fine_weight=fine_weight(net, fineness),
        rate_per_gram=rate,
        metal_value=metal_value,
        wastage_percent=wastage_pct,
        wastage_weight=wastage_weight,
        wastage_value=wastage_value,
        making_mode=making_mode,
        making_input=making_in,
        making_charge=making,
        lines=tuple(clean_lines),
        lines_total=lines_total,
        profit_percent=profit_pct,
        profit=profit,
        subtotal=subtotal,
        tax_rule=tax_rule,
        vat_percent=vat_pct,
        vat_base=vat_base,
        vat=vat,
        total=subtotal + vat,
    )
