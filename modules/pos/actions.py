"""Writes of the point of sale. Each takes the shop first, runs in its tenant context and is
atomic: when one raises, nothing at all is written (no sale, no stock movement, no store-credit
entry, no journal entry, no number taken).

The one call that sells (API, tests, benches):

    from decimal import Decimal
    from modules.pos.actions import complete_sale

    sale = complete_sale(
        shop, cashier=user, idempotency_key="till-1-000123",
        lines=[{"item": ring.pk}, {"barcode": "ZG000042", "discount": Decimal("5.00")},
               {"item": chain.pk, "lot": lot.pk, "quantity": 2}],
        payments=[{"method": "cash", "amount": Decimal("500.00")}, ("card", Decimal("735.40"))],
        customer=customer,                                   # needed for store credit / balance owed
        old_gold=[{"weight": Decimal("3.200"), "fineness": 750, "deduction_percent": Decimal("5")}],
        discount=Decimal("10.00"),                           # a sale-level discount, shared pro rata
    )

Then `return_sale_lines(shop, sale, lines=[{"line": line.pk, "quantity": 1}], refunds=[("cash", amount)],
actor=admin)` and `void_sale(shop, sale, actor=admin)`. The cart of the sale screen is a draft
`Sale`: `start_sale`, `add_line`, `update_line`, `remove_line`, `set_customer`, `hold_sale`,
`resume_sale`, `complete_draft`, `discard_draft`.

Pricing: each line is priced with `modules.rates.pricing.price_piece` for one unit at the
current board *sell* rate of the item's karat (the purity `units.purity_for_karat` gives), with
the item's making-charge settings and stones and the shop's profit %, tax rule and VAT %
(the rates settings) — or from a locked quote (`rates.PriceQuote`) while its lock holds.
A discount (shop currency) is taken off the line's price before tax; VAT is then computed on
the VAT base less the discount. A cashier's discount may be at most the cap of their role
(`max_discount_percent` in the module settings) of the price before tax, and needs `pos.discount`.

Books (one journal entry per sale, source = the sale):

    Dr Cash / Card payments clearing / Customer store credit     the payments by method
    Dr Old gold stock                                             the old-gold credit
    Dr Customer receivables                                       the balance owed
    Dr Discounts given                                            the discounts
        Cr Sales revenue                                          metal value + stones
        Cr Making-charge revenue                                  making charge + wastage + profit
        Cr VAT payable                                            VAT
    Dr Cost of goods sold / Cr Gold and jewelry stock             the stock's cost (receipt unit costs)

A return posts the mirror image of its share (source = the return).

Errors: `SaleError` (a Django `ValidationError` with `.code`, `.text`, `.field`) for every
refusal — codes `unknown_item`, `unknown_barcode`, `unknown_lot`, `unknown_quote`,
`quote_expired`, `quote_mismatch`, `bad_quantity`, `bad_amount`, `bad_weight`, `bad_percent`,
`no_rate`, `pricing`, `not_allowed`, `discount_above_cap`, `bad_payment`, `customer_required`,
`payments_mismatch`, `insufficient_credit`, `out_of_stock`, `not_open`, `not_completed`,
`empty`, `return_too_many`, `refund_mismatch`, `not_same_day`, `posting`, `idempotency_key`,
`nothing_owed`, `overpayment`.

A balance owed is paid off later with `receive_payment(shop, sale, payments=[("cash", amount),
("card", amount, "slip 123")], idempotency_key=..., actor=user)`: a `BalancePayment`
("P-000001") posted as Dr the tenders / Cr Customer receivables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zargar.contract.registry import module_settings
from zargar.core.sequences import formatted
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Membership
from zargar.tenancy.permissions import role_has_perm
from zargar.tenancy.roles import Role
from zargar.webhooks.bus import publish

from .models import (
    OPEN_STATUSES,
    BalancePayment,
    OldGoldLine,
    Payment,
    PaymentMethod,
    ReturnLine,
    Sale,
    SaleLine,
    SaleReturn,
    SaleStatus,
)

MODULE_KEY = "pos"
HUNDRED = Decimal(100)
THOUSAND = Decimal(1000)
GRAM = Decimal("0.001")
ZERO = Decimal("0")
#: Methods a sale may be paid with directly (old gold comes as `old_gold` lines).
SALE_METHODS = (PaymentMethod.CASH, PaymentMethod.CARD, PaymentMethod.STORE_CREDIT)
REFUND_METHODS = SALE_METHODS
#: Internal refund "method" of a void: the customer's balance owed is cancelled.
RECEIVABLE = "receivable"
OLD_GOLD_PURITY = "gold_999"


class SaleError(ValidationError):
    """A point-of-sale action was refused; nothing was written. `code` is a stable reason (see
    the module docstring), `text` the translated message, `field` the input it is about."""

    def __init__(self, message, code: str, field: str | None = None):
        super().__init__({field: [message]} if field else message, code=code)
        self.code = code
        self.text = str(message)
        self.field = field


# --- Small helpers -------------------------------------------------------------------------------


def _pk(obj):
    return getattr(obj, "pk", obj)


def _currency_round(tenant, amount: Decimal) -> Decimal:
    from modules.rates.pricing import PricingError, round_money

    try:
        return round_money(amount, tenant.currency)
    except PricingError:
        return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _step(tenant) -> Decimal:
    from modules.accounting.chart import quantum

    return quantum(tenant.currency)


def _decimal(value, field: str, code: str) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float) or value is None:
        raise SaleError(_("Enter a decimal number."), code, field)
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise SaleError(_("Enter a number."), code, field) from None
    if not result.is_finite():
        raise SaleError(_("Enter a number."), code, field)
    return result


def _amount(tenant, value, field: str = "amount", *, allow_zero: bool = False) -> Decimal:
    """A money amount ≥ 0 (> 0 unless `allow_zero`) with at most the currency's decimals."""
    amount = _decimal(value, field, "bad_amount")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise SaleError(_("The amount must be more than zero.") if not allow_zero else _("The amount cannot be negative."), "bad_amount", field)
    step = _step(tenant)
    try:
        exact = amount.quantize(step) == amount
    except InvalidOperation:
        exact = False
    if not exact or amount >= Decimal(10) ** 13:
        raise SaleError(_("%(currency)s amounts have at most %(places)s decimals.") % {"currency": tenant.currency, "places": max(-step.as_tuple().exponent, 0)}, "bad_amount", field)
    return amount.quantize(step)


def _quantity(value, field: str = "quantity") -> int:
    if isinstance(value, bool):
        raise SaleError(_("The quantity must be a whole number."), "bad_quantity", field)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise SaleError(_("The quantity must be a whole number."), "bad_quantity", field) from None
    if isinstance(value, float) or str(value).strip() != str(number):
        raise SaleError(_("The quantity must be a whole number."), "bad_quantity", field)
    if number < 1:
        raise SaleError(_("The quantity must be at least 1."), "bad_quantity", field)
    return number


def _get(data, *names, default=None):
    for name in names:
        if isinstance(data, dict) and name in data and data[name] not in (None, ""):
            return data[name]
        if not isinstance(data, dict) and getattr(data, name, None) not in (None, ""):
            return getattr(data, name)
    return default


def role_of(tenant, user) -> Role | None:
    """The role `user` holds in `tenant`, or None for a non-member."""
    if user is None or not getattr(user, "pk", None):
        return None
    role = Membership.objects.filter(tenant=tenant, user_id=user.pk).values_list("role", flat=True).first()
    return Role(role) if role else None


def _acting_role(tenant, cashier, role) -> Role:
    acting = Role(role) if role else role_of(tenant, cashier)
    if acting is None or not role_has_perm(acting, "pos.sell"):
        raise SaleError(_("This user may not sell in this shop."), "not_allowed", "cashier")
    return acting


def discount_cap(tenant, role) -> Decimal | None:
    """The largest discount (percent of the price before tax) `role` may give in `tenant`:
    the module setting `max_discount_percent[role]`; None means no cap (owners by default).
    0 for a role that may not discount at all (`pos.discount`)."""
    role = Role(role)
    if not role_has_perm(role, "pos.discount"):
        return ZERO
    caps = module_settings(tenant, MODULE_KEY).get("max_discount_percent") or {}
    value = caps.get(role.value, "" if role == Role.OWNER else "0")
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return ZERO


def _check_discount(tenant, role, discount: Decimal, base: Decimal, *, field: str = "discount") -> None:
    if discount <= 0:
        return
    if not role_has_perm(role, "pos.discount"):
        raise SaleError(_("Your role may not give discounts."), "not_allowed", field)
    cap = discount_cap(tenant, role)
    if base <= 0 or discount > base:
        raise SaleError(_("The discount cannot be more than the price."), "discount_above_cap", field)
    if cap is not None and discount * HUNDRED > cap * base:
        percent = (discount * HUNDRED / base).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        raise SaleError(
            _("A discount of %(percent)s %% is above your cap of %(cap)s %%.") % {"percent": percent, "cap": cap.normalize()},
            "discount_above_cap", field,
        )


def _next_number(tenant, kind: str) -> str:
    """"S-000001" / "R-000001" from the shop's document sequence (zargar.core.sequences), taken in
    the document's transaction: a rolled-back document gives its number back, so no gaps."""
    if kind == "sale":
        return formatted(tenant, "pos.sale", "S-")
    return formatted(tenant, "pos.return", "R-")


# --- Pricing -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitPrice:
    """The price of one unit: `metal`, `making` (making charge + wastage + profit), `other`
    (stones and other lines), `vat_base`, `vat_percent`, `vat` and `total`, in shop currency;
    `breakdown` the full `PriceBreakdown.as_json()`; `quote` the locked quote used, if any."""

    rate_per_gram: Decimal
    metal: Decimal
    making: Decimal
    other: Decimal
    vat_base: Decimal
    vat_percent: Decimal
    vat: Decimal
    total: Decimal
    breakdown: dict
    quote: object = None

    @classmethod
    def from_json(cls, data: dict, quote=None) -> "UnitPrice":
        d = {k: Decimal(str(data.get(k, "0"))) for k in ("rate_per_gram", "metal_value", "making_charge", "wastage_value", "profit", "lines_total", "vat_base", "vat_percent", "vat", "total")}
        return cls(
            rate_per_gram=d["rate_per_gram"], metal=d["metal_value"], making=d["making_charge"] + d["wastage_value"] + d["profit"],
            other=d["lines_total"], vat_base=d["vat_base"], vat_percent=d["vat_percent"], vat=d["vat"], total=d["total"],
            breakdown=dict(data), quote=quote,
        )


def _find_item(tenant, spec):
    """The item a line names: `item` (instance or id) or `barcode` (tag, SKU or HUID)."""
    from modules.inventory import selectors as inventory
    from modules.inventory.models import Item

    barcode = _get(spec, "barcode", "code")
    item = _get(spec, "item", "item_id")
    if item is None and barcode is None:
        raise SaleError(_("Each line names an item or a barcode."), "unknown_item", "item")
    try:
        if item is not None:
            return inventory.get_item(tenant, int(_pk(item)))
        return inventory.find_by_barcode(tenant, str(barcode))
    except (Item.DoesNotExist, ValueError, TypeError):
        if item is not None:
            raise SaleError(_("Unknown item %(id)s.") % {"id": _pk(item)}, "unknown_item", "item") from None
        raise SaleError(_("No item of this shop has the code “%(code)s”.") % {"code": str(barcode)[:60]}, "unknown_barcode", "barcode") from None


def _find_quote(tenant, ref, *, now, expired_ok: bool):
    """The valid quote `ref` (reference UUID or `PriceQuote`), or None when `expired_ok` and it
    expired (the line is then priced live)."""
    from modules.rates import selectors as rates
    from modules.rates.models import PriceQuote

    reference = getattr(ref, "reference", ref)
    try:
        return rates.get_valid_quote(tenant, reference, now=now)
    except PriceQuote.DoesNotExist:
        raise SaleError(_("Unknown quote."), "unknown_quote", "quote") from None
    except rates.QuoteExpired:
        if expired_ok:
            return None
        raise SaleError(_("The quote's rate lock has ended; price the piece again."), "quote_expired", "quote") from None


def price_item(tenant, item, *, quote=None, now=None, expired_quote_ok: bool = False, memo: dict | None = None) -> UnitPrice:
    """Price one unit of `item` now: from `quote` (a `PriceQuote` or its reference) while its
    lock holds, else at the current board sell rate of the item's karat. Raises `SaleError`
    (`no_rate` when the karat has no board purity or no rate yet; `pricing` for what
    `price_piece` refuses; `unknown_quote`, `quote_expired`, `quote_mismatch`).

    `memo`: a dict shared by the lines of one sale, so that each purity's board rate and the
    shop's pricing settings are read once per sale (the same values for every line)."""
    from modules.rates import selectors as rates
    from modules.rates.pricing import ExtraLine, PricingError, price_piece
    from modules.rates.units import purity_for_karat, purity_info

    now = now or timezone.now()
    purity = purity_for_karat(item.karat)
    if purity is None:
        raise SaleError(_("The rate board has no purity for %(karat)sK: %(sku)s cannot be priced.") % {"karat": item.karat, "sku": item.sku}, "no_rate", "item")
    if quote is not None:
        found = _find_quote(tenant, quote, now=now, expired_ok=expired_quote_ok)
        if found is not None:
            if found.purity != purity or found.net_weight != item.net_weight:
                raise SaleError(_("This quote is for another piece (purity or net weight differ)."), "quote_mismatch", "quote")
            return UnitPrice.from_json(found.breakdown, quote=found)
    memo = {} if memo is None else memo
    if ("rate", purity) not in memo:
        memo[("rate", purity)] = rates.current_rate(tenant, purity, now=now)
    rate = memo[("rate", purity)]
    if rate is None:
        raise SaleError(_("There is no rate for %(purity)s yet: enter one on the rate board first.") % {"purity": purity_info(purity).code}, "no_rate", "item")
    if "settings" not in memo:
        memo["settings"] = rates.settings_of(tenant)
    conf = memo["settings"]
    try:
        breakdown = price_piece(
            net_weight=item.net_weight,
            fineness=purity_info(purity).fineness,
            rate_per_gram=rate.sell_per_gram,
            currency=tenant.currency,
            making_mode=item.making_mode,
            making_value=item.making_value,
            wastage_percent=item.wastage_percent,
            profit_percent=conf.get("profit_percent", "0"),
            lines=[ExtraLine(f"{s.count} x {s.stone_type}", s.value) for s in item.stones.all()],
            tax_rule=conf.get("tax_rule", "none"),
            vat_percent=conf.get("vat_percent", "0"),
        )
    except PricingError as exc:
        raise SaleError(_("%(sku)s cannot be priced: %(reason)s") % {"sku": item.sku, "reason": exc.message}, "pricing", "item") from exc
    return UnitPrice.from_json(breakdown.as_json())


def _line_amounts(tenant, price: UnitPrice, quantity: int, discount: Decimal) -> dict:
    metal, making, other = price.metal * quantity, price.making * quantity, price.other * quantity
    if discount == 0:
        tax = price.vat * quantity
    else:
        base = max(price.vat_base * quantity - discount, ZERO)
        tax = _currency_round(tenant, base * price.vat_percent / HUNDRED)
    return {
        "metal": metal, "making": making, "other": other, "discount": discount, "tax": tax,
        "line_total": metal + making + other - discount + tax, "unit_price": price.total,
    }


# --- Parsing the inputs of a sale ------------------------------------------------------------------


@dataclass
class _Line:
    item: object
    lot_id: int | None
    quantity: int
    discount: Decimal
    price: UnitPrice
    amounts: dict | None = None


def _lock_line_items(tenant, lines) -> tuple[dict, list]:
    """The items the lines of a sale being completed name, locked (`inventory.lock_items`: one
    `SELECT … FOR UPDATE` in primary-key order, with locations and stones) — read once, priced,
    then taken from stock in the same transaction. Returns `({pk: item}, [item of each line])`.
    A line naming an unknown item raises the same `SaleError` as `_find_item`."""
    from modules.inventory.actions import lock_items

    ids = []
    for spec in lines or []:
        item = _get(spec, "item", "item_id")
        if item is None:
            item = _find_item(tenant, spec)  # a scanned barcode: find the piece first
        try:
            ids.append(int(_pk(item)))
        except (ValueError, TypeError):
            raise SaleError(_("Unknown item %(id)s.") % {"id": _pk(item)}, "unknown_item", "item") from None
    locked = lock_items(tenant, ids, with_stones=True)  # the stones are priced
    for pk in ids:
        if pk not in locked:
            raise SaleError(_("Unknown item %(id)s.") % {"id": pk}, "unknown_item", "item")
    return locked, [locked[pk] for pk in ids]


def _parse_lines(tenant, lines, *, now, expired_quote_ok: bool = False, items: list | None = None) -> list[_Line]:
    """The lines of a sale, each found and priced (`price_item`). `items`: the item of each
    line already read (and locked) by `_lock_line_items`; else each is looked up here."""
    from modules.inventory.models import Lot

    parsed = []
    memo: dict = {}
    for n, spec in enumerate(lines or [], start=1):
        item = items[n - 1] if items is not None else _find_item(tenant, spec)
        quantity = _quantity(_get(spec, "quantity", default=1))
        if item.is_serialized and quantity != 1:
            raise SaleError(_("%(sku)s is one piece: sell it with quantity 1.") % {"sku": item.sku}, "bad_quantity", "quantity")
        lot = _get(spec, "lot", "lot_id")
        lot_id = None
        if lot is not None:
            try:
                lot_id = Lot.objects.get(tenant=tenant, item=item, pk=int(_pk(lot))).pk
            except (Lot.DoesNotExist, ValueError, TypeError):
                raise SaleError(_("Unknown lot for item %(sku)s.") % {"sku": item.sku}, "unknown_lot", "lot") from None
        discount = _amount(tenant, _get(spec, "discount", default="0"), "discount", allow_zero=True)
        price = price_item(tenant, item, quote=_get(spec, "quote"), now=now, expired_quote_ok=expired_quote_ok, memo=memo)
        parsed.append(_Line(item=item, lot_id=lot_id, quantity=quantity, discount=discount, price=price))
    if not parsed:
        raise SaleError(_("A sale has at least one line."), "empty", "lines")
    return parsed


def _apply_discounts(tenant, role, lines: list[_Line], sale_discount: Decimal) -> None:
    """Share a sale-level discount over the lines pro rata to their price before tax (the last
    line takes the rounding rest), check every discount against the role's cap, and compute the
    line amounts."""
    subtotals = [(ln.price.metal + ln.price.making + ln.price.other) * ln.quantity for ln in lines]
    whole = sum(subtotals, ZERO)
    if sale_discount > 0:
        if sale_discount > whole:
            raise SaleError(_("The discount cannot be more than the price."), "discount_above_cap", "discount")
        left = sale_discount
        for i, ln in enumerate(lines):
            share = left if i == len(lines) - 1 else min(left, _currency_round(tenant, sale_discount * subtotals[i] / whole)) if whole else ZERO
            ln.discount += share
            left -= share
    for ln, sub in zip(lines, subtotals):
        _check_discount(tenant, role, ln.discount, sub)
        ln.amounts = _line_amounts(tenant, ln.price, ln.quantity, ln.discount)
    _check_discount(tenant, role, sum((ln.discount for ln in lines), ZERO), whole)


def _parse_payments(tenant, payments) -> list[tuple[str, Decimal, str]]:
    clean = []
    for spec in payments or []:
        if isinstance(spec, (tuple, list)):
            method, amount, reference = (list(spec) + [""])[:3]
        else:
            method, amount, reference = _get(spec, "method"), _get(spec, "amount"), _get(spec, "reference", default="")
        if method == PaymentMethod.OLD_GOLD:
            raise SaleError(_("Old gold is given as old-gold lines (weight, purity, deduction), not as a payment."), "bad_payment", "payments")
        if method not in SALE_METHODS:
            raise SaleError(_("Unknown payment method “%(method)s”.") % {"method": str(method)[:30]}, "bad_payment", "payments")
        amount = _amount(tenant, amount, "payments")
        clean.append((str(method), amount, str(reference or "")[:80]))
    return clean


@dataclass
class _OldGold:
    description: str
    weight: Decimal
    fineness: int
    deduction_percent: Decimal
    rate_per_gram: Decimal
    fine_weight: Decimal
    value: Decimal
    deduction: Decimal
    credit: Decimal


def old_gold_credit(tenant, *, weight, fineness, deduction_percent=ZERO, rate_per_gram: Decimal) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """`(fine weight g, value, deduction, credit)` of old gold (see `models.OldGoldLine`)."""
    fine = weight * Decimal(fineness) / THOUSAND
    value = _currency_round(tenant, fine * rate_per_gram)
    deduction = _currency_round(tenant, value * deduction_percent / HUNDRED)
    return fine, value, deduction, value - deduction


def _parse_old_gold(tenant, old_gold, *, now) -> list[_OldGold]:
    from modules.rates import selectors as rates
    from modules.rates.units import UnitError, purity_info

    specs = list(old_gold or [])
    if not specs:
        return []
    rate = rates.current_rate(tenant, OLD_GOLD_PURITY, now=now)
    if rate is None:
        raise SaleError(_("There is no 24K (999) rate yet to value old gold: enter one on the rate board first."), "no_rate", "old_gold")
    parsed = []
    for spec in specs:
        weight = _decimal(_get(spec, "weight"), "old_gold", "bad_weight")
        if weight <= 0:
            raise SaleError(_("The weight of old gold must be more than 0 grams."), "bad_weight", "old_gold")
        if weight != weight.quantize(GRAM):
            raise SaleError(_("Weights have at most 3 decimals (milligrams)."), "bad_weight", "old_gold")
        fineness = _get(spec, "fineness")
        if fineness is None and _get(spec, "purity"):
            try:
                fineness = purity_info(_get(spec, "purity")).fineness
            except UnitError:
                raise SaleError(_("Unknown purity."), "bad_percent", "old_gold") from None
        try:
            fineness_i = int(str(fineness))
        except (TypeError, ValueError):
            raise SaleError(_("Give the purity of the old gold in parts per thousand (e.g. 750)."), "bad_percent", "old_gold") from None
        if not 1 <= fineness_i <= 1000:
            raise SaleError(_("The purity is from 1 to 1000 parts per thousand."), "bad_percent", "old_gold")
        deduction_pct = _decimal(_get(spec, "deduction_percent", default="0"), "old_gold", "bad_percent")
        if not ZERO <= deduction_pct <= HUNDRED:
            raise SaleError(_("The melting deduction is a percentage from 0 to 100."), "bad_percent", "old_gold")
        fine, value, deduction, credit = old_gold_credit(tenant, weight=weight, fineness=fineness_i, deduction_percent=deduction_pct, rate_per_gram=rate.buy_per_gram)
        parsed.append(_OldGold(str(_get(spec, "description", default=""))[:120], weight, fineness_i, deduction_pct, rate.buy_per_gram, fine.quantize(Decimal("0.0001")), value, deduction, credit))
    return parsed


def _check_customer(tenant, customer):
    from modules.customers.models import Customer

    if customer is None:
        return None
    try:
        return Customer.objects.get(tenant=tenant, pk=_pk(customer))
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise SaleError(_("Unknown customer."), "unknown_customer", "customer") from None


# --- Stock cost ----------------------------------------------------------------------------------


def _unit_costs(tenant, wanted) -> dict:
    """`{(item_id, lot_id): unit cost or None}` for `wanted` pairs, in one query: the unit cost
    of the latest receipt of the lot, else of the item (any lot), else None."""
    from django.db import connection

    from modules.inventory.models import MovementKind, StockMovement

    wanted = list(wanted)
    # Plain SQL (every sale runs it; the ORM took 0.5 ms of CPU to build this query).
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT ON (item_id, lot_id) item_id, lot_id, unit_cost, created_at, id FROM {StockMovement._meta.db_table} "
            "WHERE tenant_id = %s AND item_id = ANY(%s) AND kind = %s AND unit_cost IS NOT NULL "
            "ORDER BY item_id, lot_id, created_at DESC, id DESC",
            [tenant.pk, sorted({item_id for item_id, _lot in wanted}), MovementKind.RECEIPT.value],
        )
        latest = cursor.fetchall()
    by_lot, by_item = {}, {}
    for item_id, lot_id, cost, created_at, pk in latest:
        by_lot[(item_id, lot_id)] = cost
        if item_id not in by_item or (created_at, pk) > by_item[item_id][0]:
            by_item[item_id] = ((created_at, pk), cost)
    return {
        (item_id, lot_id): by_lot[(item_id, lot_id)] if lot_id is not None and (item_id, lot_id) in by_lot else (by_item[item_id][1] if item_id in by_item else None)
        for item_id, lot_id in wanted
    }


# --- Books ---------------------------------------------------------------------------------------


def _post(tenant, *, description: str, debits: dict, credits: dict, source) -> None:
    from modules.accounting.actions import PostingError, PostingLine, post_journal_entry, shop_today

    lines = [PostingLine.debit(k, v) for k, v in debits.items() if v > 0] + [PostingLine.credit(k, v) for k, v in credits.items() if v > 0]
    if not lines:
        return
    try:
        post_journal_entry(tenant, date=shop_today(tenant), description=description[:120], lines=lines, source=source)
    except PostingError as exc:
        raise SaleError(_("The books refused the posting: %(reason)s") % {"reason": exc.message}, "posting") from exc


def _add(book: dict, key, amount: Decimal) -> None:
    book[key] = book.get(key, ZERO) + amount


_PAYMENT_ACCOUNTS = {
    PaymentMethod.CASH: "cash",
    PaymentMethod.CARD: "card_clearing",
    PaymentMethod.STORE_CREDIT: "customer_store_credit",
    PaymentMethod.OLD_GOLD: "old_gold_stock",
    RECEIVABLE: "customer_receivables",
}


def shop_today(tenant) -> dt.date:
    from modules.accounting.actions import shop_today as today

    return today(tenant)


# --- Completing a sale ---------------------------------------------------------------------------


def _existing(tenant, key):
    """The shop's sale with idempotency key `key`, or None: one index read of the unique
    (tenant, idempotency_key) constraint, in plain SQL — this runs on every API sale, nearly
    always finding nothing, and the ORM spent 0.35 ms of CPU building the query (the SQL 0.06)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {Sale._meta.db_table} WHERE tenant_id = %s AND idempotency_key = %s", [tenant.pk, key])
        row = cursor.fetchone()
    return None if row is None else Sale.objects.get(tenant=tenant, pk=row[0])


def _lock_idempotency_key(tenant, key: str) -> None:
    """Hold the shop's idempotency key `key` until this transaction ends (a PostgreSQL
    transaction-level advisory lock on a 64-bit hash of shop and key): a second request with
    the same key waits here, then finds the sale the first one committed. Two different keys
    with the same hash only wait for each other."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"pos.sale:{tenant.pk}:{key}"])


def complete_sale(
    tenant,
    *,
    cashier,
    lines,
    payments=(),
    customer=None,
    old_gold=(),
    discount=None,
    idempotency_key: str,
    role=None,
    note: str = "",
    draft: Sale | None = None,
    now=None,
) -> Sale:
    """Sell, in one transaction, and return the completed `Sale` ("S-000001", …).

    - `cashier`: the user selling (a member of the shop holding `pos.sell`); `role` overrides
      their membership role (an API key acts as its own role).
    - `lines`: dicts (or objects) with `item` (instance or id) or `barcode` (tag, SKU or HUID),
      optional `lot`, `quantity` (default 1; a serialized piece is always 1), `discount`
      (shop currency, off the line's price before tax) and `quote` (a `PriceQuote` or its
      reference: its locked price is used while the lock holds).
    - `payments`: `{"method": "cash"|"card"|"store_credit", "amount": Decimal, "reference": ""}`
      or `(method, amount[, reference])`. Store credit is redeemed from the customer.
    - `old_gold`: dicts with `weight` (g), `fineness` (‰, or `purity` code), `deduction_percent`
      (melting deduction) and `description`; valued at the 24K board *buy* rate (see
      `models.OldGoldLine`); the credit counts as an `old_gold` payment.
    - `discount`: a sale-level discount (shop currency), shared over the lines pro rata.
    - `customer`: needed for store credit and for a balance owed (payments + old gold below the
      total: the rest becomes a customer receivable). Payments above the total are refused.
    - `idempotency_key`: unique per shop; a sale already completed with this key is returned as
      it is and nothing is written (a retried request). The returned sale's `replayed` says
      which: True for a sale found by its key, False for one completed by this call (its
      lines, payments and old-gold lines are then loaded as written, for the answer).

    Order, for speed under concurrency: the key is held (`_lock_idempotency_key`), the pieces
    are locked and priced (`_lock_line_items`: only those rows), every input is checked, then the
    shop-wide rows are taken last — the sale number, then the journal entry's number — so
    that the sales of one shop wait on each other only for the last few statements before
    commit. Takes the stock with `inventory.take_stock_for_sale` (refuses an oversell), posts
    one journal entry (see the module docstring) and records the customer's activity. Raises
    `SaleError`; nothing is written then.
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > 100:
        raise SaleError(_("Give an idempotency key of 1 to 100 characters."), "idempotency_key", "idempotency_key")
    now = now or timezone.now()
    with tenant_context(tenant) as tenant:
        _lock_idempotency_key(tenant, key)
        found = _existing(tenant, key)
        if found is not None and found.is_done:
            found.replayed = True
            return found
        if found is not None and (draft is None or found.pk != draft.pk):
            raise SaleError(_("This idempotency key belongs to an open sale (a cart); use another key."), "idempotency_key", "idempotency_key")
        acting = _acting_role(tenant, cashier, role)
        customer = _check_customer(tenant, customer)
        locked, line_items = _lock_line_items(tenant, lines)
        parsed = _parse_lines(tenant, lines, now=now, items=line_items)
        sale_discount = _amount(tenant, discount if discount not in (None, "") else "0", "discount", allow_zero=True)
        _apply_discounts(tenant, acting, parsed, sale_discount)
        paid = _parse_payments(tenant, payments)
        gold = _parse_old_gold(tenant, old_gold, now=now)

        subtotal = sum((ln.amounts["metal"] + ln.amounts["making"] + ln.amounts["other"] for ln in parsed), ZERO)
        total_discount = sum((ln.discount for ln in parsed), ZERO)
        tax = sum((ln.amounts["tax"] for ln in parsed), ZERO)
        total = subtotal - total_discount + tax
        gold_credit = sum((g.credit for g in gold), ZERO)
        paid_total = sum((a for _m, a, _r in paid), ZERO)
        balance = total - gold_credit - paid_total
        if balance < 0:
            raise SaleError(
                _("Payments (%(paid)s) and old gold (%(gold)s) come to more than the total %(total)s.") % {"paid": paid_total, "gold": gold_credit, "total": total},
                "payments_mismatch", "payments",
            )
        if balance > 0 and customer is None:
            raise SaleError(
                _("Payments (%(paid)s) and old gold (%(gold)s) do not add up to the total %(total)s; a balance owed needs a customer.")
                % {"paid": paid_total, "gold": gold_credit, "total": total},
                "customer_required", "payments",
            )
        if customer is None and any(m == PaymentMethod.STORE_CREDIT for m, _a, _r in paid):
            raise SaleError(_("Store credit needs a customer."), "customer_required", "customer")
        costs = _unit_costs(tenant, [(ln.item.pk, ln.lot_id) for ln in parsed])
        # The cost of goods sold as far as known now; a lot item taken first-in first-out is
        # costed again below from the lot it was actually taken from.
        known_cost = sum((costs[(ln.item.pk, ln.lot_id)] * ln.quantity for ln in parsed if costs[(ln.item.pk, ln.lot_id)] is not None), ZERO)

        # --- Writes: everything below is one transaction --------------------------------------
        # The sale number is taken here, after every check that reads: the shop's sequence row
        # stays locked until commit, so the sales of one shop queue on it for as short a time
        # as possible.
        number = _next_number(tenant, "sale")
        completed = {
            "number": number, "status": SaleStatus.COMPLETED, "subtotal": subtotal, "discount": total_discount, "tax": tax, "total": total,
            "old_gold_credit": gold_credit, "paid": paid_total, "balance_due": balance, "cost": known_cost, "sold_on": shop_today(tenant), "completed_at": timezone.now(),
            "customer": customer, "cashier": cashier if getattr(cashier, "pk", None) else None, "currency": tenant.currency, "note": (note or "")[:200],
            "idempotency_key": key,
        }
        if draft is not None:
            sale = Sale.objects.select_for_update(of=("self",)).get(tenant=tenant, pk=draft.pk)
            if sale.is_done:
                sale.replayed = True
                return sale
            sale.lines.all().delete()
        else:
            sale = Sale(tenant=tenant)
        for name, value in completed.items():
            setattr(sale, name, value)

        from modules.inventory.actions import OutOfStockError, StockError, take_stock_for_sale

        try:
            if draft is None:
                sale.save(force_insert=True)  # one audit-log entry: the sale as completed
            else:
                sale.save()
            # Checked on the locked rows: an oversell ends here, and the savepoint of this
            # action takes the sale and its number back.
            taking = [(ln.item.pk, ln.lot_id, ln.quantity) for ln in parsed]
            movements = take_stock_for_sale(tenant, lines=taking, actor=sale.cashier, document=sale, locked_items=locked)
        except OutOfStockError as exc:
            raise SaleError(exc.text, "out_of_stock", "lines") from exc
        except StockError as exc:
            raise SaleError(exc.text, exc.code, "lines") from exc
        lots_taken: dict[int, int] = {}
        for movement in movements:
            if movement.lot_id:
                lots_taken.setdefault(movement.item_id, movement.lot_id)
        missing_costs = [(ln.item.pk, lots_taken[ln.item.pk]) for ln in parsed if not ln.lot_id and ln.item.pk in lots_taken]
        if missing_costs:
            costs.update(_unit_costs(tenant, missing_costs))

        # The lines, old gold and payments are parts of the completed sale (never changed again):
        # inserted in bulk, recorded by the sale's own audit-log entry and its journal entry.
        cost_total = ZERO
        sale_lines = []
        for ln in parsed:
            lot_id = ln.lot_id or lots_taken.get(ln.item.pk)
            unit_cost = costs.get((ln.item.pk, lot_id))
            if unit_cost is not None:
                cost_total += unit_cost * ln.quantity
            sale_lines.append(SaleLine(
                tenant=tenant, sale=sale, item=ln.item, lot_id=lot_id, quote=ln.price.quote, quantity=ln.quantity,
                sku=ln.item.sku, description=ln.item.name[:200], karat=ln.item.karat,
                gross_weight=ln.item.gross_weight * ln.quantity, net_weight=ln.item.net_weight * ln.quantity,
                rate_per_gram=ln.price.rate_per_gram, breakdown=ln.price.breakdown, priced_at=now,
                unit_cost=unit_cost, **ln.amounts,
            ))
        SaleLine.objects.bulk_create(sale_lines)
        gold_lines = OldGoldLine.objects.bulk_create([
            OldGoldLine(
                tenant=tenant, sale=sale, description=g.description, weight=g.weight, fineness=g.fineness,
                deduction_percent=g.deduction_percent, rate_per_gram=g.rate_per_gram, fine_weight=g.fine_weight,
                value=g.value, deduction=g.deduction, credit=g.credit,
            )
            for g in gold
        ]) if gold else []
        tenders = [Payment(tenant=tenant, sale=sale, method=method, amount=amount, reference=reference) for method, amount, reference in paid]
        if gold_credit > 0:
            tenders.append(Payment(tenant=tenant, sale=sale, method=PaymentMethod.OLD_GOLD, amount=gold_credit))
        Payment.objects.bulk_create(tenders)

        credit_used = sum((a for m, a, _r in paid if m == PaymentMethod.STORE_CREDIT), ZERO)
        if credit_used > 0:
            from modules.customers.actions import InsufficientCreditError, redeem_store_credit

            try:
                redeem_store_credit(tenant, customer, credit_used, actor=sale.cashier, reference=sale)
            except InsufficientCreditError as exc:
                raise SaleError(exc.text, "insufficient_credit", "payments") from exc

        if cost_total != sale.cost:
            sale.cost = cost_total  # a lot taken first-in first-out had another cost
            Sale.objects.filter(tenant=tenant, pk=sale.pk).update(cost=cost_total)

        debits: dict = {}
        for method, amount, _r in paid:
            _add(debits, _PAYMENT_ACCOUNTS[method], amount)
        _add(debits, _PAYMENT_ACCOUNTS[PaymentMethod.OLD_GOLD], gold_credit)
        _add(debits, _PAYMENT_ACCOUNTS[RECEIVABLE], balance)
        _add(debits, "sales_discounts", total_discount)
        _add(debits, "cost_of_goods_sold", cost_total)
        credits = {
            "sales_revenue": sum((ln.amounts["metal"] + ln.amounts["other"] for ln in parsed), ZERO),
            "making_charge_revenue": sum((ln.amounts["making"] for ln in parsed), ZERO),
            "vat_payable": tax,
            "gold_stock": cost_total,
        }
        _post(tenant, description=_("Sale %(number)s") % {"number": sale.number}, debits=debits, credits=credits, source=sale)

        if customer is not None:
            from modules.customers.actions import record_activity

            pieces = ", ".join(f"{ln.item.sku} {ln.item.karat}K {ln.item.net_weight * ln.quantity} g" for ln in parsed)
            record_activity(tenant, customer, kind="sale", summary=(_("Sale %(number)s: %(pieces)s") % {"number": sale.number, "pieces": pieces})[:200], amount=total, reference=sale)
        publish(tenant, "sale.completed", sale)  # webhooks (zargar.webhooks.bus), after commit
        # What the API answers with, without reading the sale back (`selectors.as_written`).
        sale.parts_written = {"lines": sale_lines, "payments": tenders, "old_gold_lines": list(gold_lines), "returns": [], "balance_payments": []}
        sale.replayed = False
        return sale


# --- The cart (draft sale) -----------------------------------------------------------------------


def _open_sale(tenant, sale, *, lock: bool = True) -> Sale:
    qs = Sale.objects.filter(tenant=tenant, pk=_pk(sale))
    if lock:
        qs = qs.select_for_update(of=("self",))
    found = qs.first()
    if found is None:
        raise SaleError(_("Unknown sale."), "unknown_sale", "sale")
    if found.status not in OPEN_STATUSES:
        raise SaleError(_("Sale %(number)s is already completed.") % {"number": found}, "not_open", "sale")
    return found


def start_sale(tenant, *, cashier, customer=None) -> Sale:
    """A new, empty draft sale (the cart of the sale screen)."""
    with tenant_context(tenant) as tenant:
        customer = _check_customer(tenant, customer)
        return Sale.objects.create(tenant=tenant, status=SaleStatus.DRAFT, cashier=cashier if getattr(cashier, "pk", None) else None, customer=customer, currency=tenant.currency)


def _store_line(tenant, line: SaleLine, price: UnitPrice, *, now) -> None:
    amounts = _line_amounts(tenant, price, line.quantity, line.discount)
    for name, value in amounts.items():
        setattr(line, name, value)
    line.rate_per_gram, line.breakdown, line.priced_at, line.quote = price.rate_per_gram, price.breakdown, now, price.quote


def add_line(tenant, sale, *, item=None, barcode=None, lot=None, quantity=1, quote=None, now=None) -> SaleLine:
    """Add an item (instance/id, or a scanned `barcode`) to a draft sale, priced now. Refuses a
    piece already in the cart or not in stock (`out_of_stock`; the stock is taken only when the
    sale completes). Raises `SaleError`."""
    now = now or timezone.now()
    with tenant_context(tenant) as tenant:
        sale = _open_sale(tenant, sale)
        (parsed,) = _parse_lines(tenant, [{"item": item, "barcode": barcode, "lot": lot, "quantity": quantity, "quote": quote}], now=now)
        in_cart = sum(sale.lines.filter(item=parsed.item).values_list("quantity", flat=True))
        if parsed.item.quantity < in_cart + parsed.quantity:
            raise SaleError(
                _("Not enough stock of %(sku)s: %(requested)s asked, %(available)s on hand.") % {"sku": parsed.item.sku, "requested": in_cart + parsed.quantity, "available": parsed.item.quantity},
                "out_of_stock", "item",
            )
        line = SaleLine(
            tenant=tenant, sale=sale, item=parsed.item, lot_id=parsed.lot_id, quantity=parsed.quantity, sku=parsed.item.sku,
            description=parsed.item.name[:200], karat=parsed.item.karat,
            gross_weight=parsed.item.gross_weight * parsed.quantity, net_weight=parsed.item.net_weight * parsed.quantity,
        )
        _store_line(tenant, line, parsed.price, now=now)
        line.save()
        sale.save(update_fields=["updated_at"])
        return line


def update_line(tenant, line, *, cashier=None, role=None, quantity=None, discount=None) -> SaleLine:
    """Change a draft line's `quantity` and/or `discount` (checked against the role's cap)."""
    with tenant_context(tenant) as tenant:
        line = SaleLine.objects.select_related("item", "quote").get(tenant=tenant, pk=_pk(line))
        _open_sale(tenant, line.sale_id)
        if quantity is not None:
            line.quantity = _quantity(quantity)
            if line.item.is_serialized and line.quantity != 1:
                raise SaleError(_("%(sku)s is one piece: sell it with quantity 1.") % {"sku": line.sku}, "bad_quantity", "quantity")
            line.gross_weight, line.net_weight = line.item.gross_weight * line.quantity, line.item.net_weight * line.quantity
        if discount is not None:
            line.discount = _amount(tenant, discount, "discount", allow_zero=True)
        price = UnitPrice.from_json(line.breakdown, quote=line.quote)
        sub = (price.metal + price.making + price.other) * line.quantity
        acting = _acting_role(tenant, cashier, role)
        _check_discount(tenant, acting, line.discount, sub)
        _store_line(tenant, line, price, now=line.priced_at)
        line.save()
        return line


def remove_line(tenant, line) -> None:
    with tenant_context(tenant) as tenant:
        line = SaleLine.objects.get(tenant=tenant, pk=_pk(line))
        _open_sale(tenant, line.sale_id)
        line.delete()


def set_customer(tenant, sale, customer) -> Sale:
    """Attach `customer` (or None) to a draft sale."""
    with tenant_context(tenant) as tenant:
        sale = _open_sale(tenant, sale)
        sale.customer = _check_customer(tenant, customer)
        sale.save(update_fields=["customer", "updated_at"])
        return sale


def hold_sale(tenant, sale) -> Sale:
    """Park a draft sale (its lines are kept) to serve another customer."""
    with tenant_context(tenant) as tenant:
        sale = _open_sale(tenant, sale)
        if not sale.lines.exists():
            raise SaleError(_("An empty sale cannot be held."), "empty", "lines")
        sale.status = SaleStatus.HELD
        sale.save(update_fields=["status", "updated_at"])
        return sale


def resume_sale(tenant, sale, *, now=None) -> Sale:
    """Take a held sale back to the screen: every line is priced again at the current rate,
    except a line whose quote lock still holds. Raises `SaleError` (e.g. `no_rate`)."""
    now = now or timezone.now()
    with tenant_context(tenant) as tenant:
        sale = _open_sale(tenant, sale)
        reprice(tenant, sale, now=now)
        sale.status = SaleStatus.DRAFT
        sale.save(update_fields=["status", "updated_at"])
        return sale


def reprice(tenant, sale: Sale, *, now=None) -> None:
    """Price the lines of an open sale again (see `resume_sale`)."""
    now = now or timezone.now()
    for line in sale.lines.select_related("item", "quote"):
        price = price_item(tenant, line.item, quote=line.quote, now=now, expired_quote_ok=True)
        _store_line(tenant, line, price, now=now)
        line.save()


def discard_draft(tenant, sale) -> None:
    """Delete a draft or held sale and its lines (nothing was taken from stock)."""
    with tenant_context(tenant) as tenant:
        _open_sale(tenant, sale).delete()


def draft_lines(sale: Sale) -> list[dict]:
    """The lines of an open sale as `complete_sale` takes them."""
    return [
        {"item": line.item_id, "lot": line.lot_id, "quantity": line.quantity, "discount": line.discount, "quote": line.quote}
        for line in sale.lines.all()
    ]


def complete_draft(tenant, sale, *, cashier, payments=(), old_gold=(), discount=None, role=None, now=None) -> Sale:
    """Complete the cart `sale` with `complete_sale` (the draft row becomes the sale; its key is
    `draft-<id>`, so a double click completes it once). Lines are priced again at the live rate
    (or their valid quote)."""
    with tenant_context(tenant) as tenant:
        current = Sale.objects.filter(tenant=tenant, pk=_pk(sale)).first()
        if current is None:
            raise SaleError(_("Unknown sale."), "unknown_sale", "sale")
        if current.is_done:
            return current
        return complete_sale(
            tenant, cashier=cashier, role=role, lines=draft_lines(current), payments=payments, customer=current.customer,
            old_gold=old_gold, discount=discount, idempotency_key=current.idempotency_key or f"draft-{current.pk}", draft=current, now=now,
        )


# --- Returns and voids ---------------------------------------------------------------------------


def _share(total: Decimal, already: Decimal, quantity: int, returned_before: int, of_quantity: int, tenant) -> Decimal:
    """The part of a line amount `total` that `quantity` more units carry: pro rata, and for
    the last units whatever has not been returned yet (so the returns add up exactly)."""
    if returned_before + quantity >= of_quantity:
        return total - already
    return _currency_round(tenant, total * quantity / of_quantity)


def _parse_refunds(tenant, refunds, *, internal: bool = False) -> list[tuple[str, Decimal, str]]:
    allowed = (*REFUND_METHODS, PaymentMethod.OLD_GOLD, RECEIVABLE) if internal else REFUND_METHODS
    clean = []
    for spec in refunds or []:
        if isinstance(spec, (tuple, list)):
            method, amount, reference = (list(spec) + [""])[:3]
        else:
            method, amount, reference = _get(spec, "method"), _get(spec, "amount"), _get(spec, "reference", default="")
        if method not in allowed:
            raise SaleError(_("Unknown refund method “%(method)s”.") % {"method": str(method)[:30]}, "bad_payment", "refunds")
        clean.append((str(method), _amount(tenant, amount, "refunds"), str(reference or "")[:80]))
    return clean


def return_sale_lines(tenant, sale, *, lines, refunds=None, refund_method: str = PaymentMethod.CASH, actor=None, reason: str = "", _void: bool = False) -> SaleReturn:
    """Take back units of a completed sale and refund them; returns the `SaleReturn`
    ("R-000001", numbered per shop).

    - `lines`: `{"line": SaleLine or id, "quantity": n}` (or `(line, n)`); at most what was sold
      less what came back before (`return_too_many` otherwise).
    - `refunds`: `{"method": "cash"|"card"|"store_credit", "amount", "reference"}` (or tuples)
      adding up exactly to the value returned (each line's share of its amounts after discount,
      with VAT) less what the customer still owes on the sale: a return first cancels the
      balance owed (Cr Customer receivables), only the rest is paid back; without `refunds`, that
      rest by `refund_method` (default cash). Store credit is issued to the sale's customer.

    The units go back to stock with `inventory.return_stock`, the reversing journal entry is
    posted (source = the return) and the customer's activity records it. Raises `SaleError`.
    """
    with tenant_context(tenant) as tenant:
        sale = Sale.objects.select_for_update(of=("self",)).filter(tenant=tenant, pk=_pk(sale)).first()
        if sale is None:
            raise SaleError(_("Unknown sale."), "unknown_sale", "sale")
        if sale.status not in (SaleStatus.COMPLETED, SaleStatus.PARTIALLY_RETURNED):
            raise SaleError(_("Only a completed sale can be returned."), "not_completed", "sale")
        sale_lines = {line.pk: line for line in sale.lines.select_related("item").select_for_update(of=("self",))}
        wanted: dict[int, int] = {}
        for spec in lines or []:
            if isinstance(spec, (tuple, list)):
                line_ref, quantity = spec
            else:
                line_ref, quantity = _get(spec, "line", "line_id", "sale_line"), _get(spec, "quantity", default=1)
            try:
                line_id = int(_pk(line_ref))
            except (TypeError, ValueError):
                line_id = None
            if line_id not in sale_lines:
                raise SaleError(_("This line is not part of sale %(number)s.") % {"number": sale.number}, "unknown_line", "lines")
            wanted[line_id] = wanted.get(line_id, 0) + _quantity(quantity)
        if not wanted:
            raise SaleError(_("Choose at least one line to return."), "empty", "lines")
        for line_id, quantity in wanted.items():
            line = sale_lines[line_id]
            if quantity > line.returnable_quantity:
                raise SaleError(
                    _("%(sku)s: %(asked)s to return, but only %(left)s of %(sold)s sold can still come back.")
                    % {"sku": line.sku, "asked": quantity, "left": line.returnable_quantity, "sold": line.quantity},
                    "return_too_many", "lines",
                )
        today = shop_today(tenant)
        sale_return = SaleReturn(tenant=tenant, number="", sale=sale, is_void=_void, reason=(reason or "")[:200], actor=actor if getattr(actor, "pk", None) else None, returned_on=today)
        planned = []
        fields = ("metal", "making", "other", "discount", "tax")
        for line_id, quantity in wanted.items():
            line = sale_lines[line_id]
            before = ReturnLine.objects.filter(tenant=tenant, sale_line=line)
            already = {f: sum(before.values_list(f, flat=True), ZERO) for f in (*fields, "cost")}
            amounts = {f: _share(getattr(line, f), already[f], quantity, line.returned_quantity, line.quantity, tenant) for f in fields}
            amounts["line_total"] = amounts["metal"] + amounts["making"] + amounts["other"] - amounts["discount"] + amounts["tax"]
            line_cost = (line.unit_cost or ZERO) * line.quantity
            amounts["cost"] = _share(line_cost, already["cost"], quantity, line.returned_quantity, line.quantity, tenant) if line.unit_cost else ZERO
            planned.append((line, quantity, amounts))
        total = sum((a["line_total"] for _l, _q, a in planned), ZERO)
        cost = sum((a["cost"] for _l, _q, a in planned), ZERO)
        # What the customer still owes on the sale is cancelled first; only the rest is paid back.
        owed_cut = ZERO if _void else min(sale.balance_due, total)
        to_refund = total - owed_cut
        refund_list = _parse_refunds(tenant, refunds if refunds is not None else ([(refund_method, to_refund)] if to_refund > 0 else []), internal=_void)
        refunded = sum((a for _m, a, _r in refund_list), ZERO)
        if refunded != to_refund:
            if owed_cut:
                raise SaleError(
                    _("The refunds (%(refunded)s) must add up to %(refund)s: the value returned (%(total)s) less the %(owed)s still owed on the sale, which it cancels.")
                    % {"refunded": refunded, "refund": to_refund, "total": total, "owed": owed_cut},
                    "refund_mismatch", "refunds",
                )
            raise SaleError(_("The refunds (%(refunded)s) must add up to the value returned (%(total)s).") % {"refunded": refunded, "total": total}, "refund_mismatch", "refunds")
        if owed_cut:
            refund_list.append((RECEIVABLE, owed_cut, ""))
        if sale.customer_id is None and any(m == PaymentMethod.STORE_CREDIT for m, _a, _r in refund_list):
            raise SaleError(_("Store credit needs a customer: this sale has none."), "customer_required", "refunds")

        sale_return.number = _next_number(tenant, "return")
        sale_return.total, sale_return.cost = total, cost
        sale_return.save()
        from modules.inventory.actions import StockError, return_stock

        for line, quantity, amounts in planned:
            ReturnLine.objects.create(tenant=tenant, sale_return=sale_return, sale_line=line, quantity=quantity, **amounts)
            try:
                if line.item.is_serialized:
                    return_stock(tenant, item=line.item, quantity=1, actor=sale_return.actor, document=sale_return)
                else:
                    return_stock(tenant, item=line.item, lot=line.lot_id, quantity=quantity, actor=sale_return.actor, document=sale_return)
            except StockError as exc:
                raise SaleError(exc.text, exc.code, "lines") from exc
            line.returned_quantity += quantity
            line.save(update_fields=["returned_quantity"])
        for method, amount, reference in refund_list:
            if method != RECEIVABLE:
                Payment.objects.create(tenant=tenant, sale=sale, sale_return=sale_return, method=method, amount=amount, reference=reference)
        credit_back = sum((a for m, a, _r in refund_list if m == PaymentMethod.STORE_CREDIT), ZERO)
        if credit_back > 0:
            from modules.customers.actions import issue_store_credit

            issue_store_credit(tenant, sale.customer, credit_back, actor=sale_return.actor, kind="refund", reference=sale_return, post_to_books=False)
        receivable = sum((a for m, a, _r in refund_list if m == RECEIVABLE), ZERO)

        sale.refunded += total
        sale.balance_due -= receivable
        if _void:
            sale.status = SaleStatus.VOIDED
        elif all(line.returned_quantity >= line.quantity for line in sale_lines.values()):
            sale.status = SaleStatus.RETURNED
        else:
            sale.status = SaleStatus.PARTIALLY_RETURNED
        sale.save()

        credits: dict = {}
        for method, amount, _r in refund_list:
            _add(credits, _PAYMENT_ACCOUNTS[method], amount)
        _add(credits, "sales_discounts", sum((a["discount"] for _l, _q, a in planned), ZERO))
        _add(credits, "cost_of_goods_sold", cost)
        debits = {
            "sales_revenue": sum((a["metal"] + a["other"] for _l, _q, a in planned), ZERO),
            "making_charge_revenue": sum((a["making"] for _l, _q, a in planned), ZERO),
            "vat_payable": sum((a["tax"] for _l, _q, a in planned), ZERO),
            "gold_stock": cost,
        }
        label = _("Void of sale %(sale)s (%(number)s)") if _void else _("Return %(number)s of sale %(sale)s")
        _post(tenant, description=label % {"number": sale_return.number, "sale": sale.number}, debits=debits, credits=credits, source=sale_return)

        if sale.customer_id:
            from modules.customers.actions import record_activity

            record_activity(tenant, sale.customer, kind="return", summary=(_("Return %(number)s of sale %(sale)s") % {"number": sale_return.number, "sale": sale.number})[:200], amount=-total, reference=sale_return)
        publish(tenant, "sale.voided" if _void else "sale.returned", sale_return)  # webhooks and notifications
        return sale_return


# --- Paying off a balance owed ---------------------------------------------------------------------


def receive_payment(tenant, sale, *, payments, idempotency_key: str, actor=None, note: str = "") -> BalancePayment:
    """Receive money against the balance a customer still owes on a completed sale and return
    the `BalancePayment` ("P-000001", numbered per shop).

    - `payments`: one or more tenders, `{"method": "cash"|"card"|"store_credit", "amount":
      Decimal, "reference": ""}` or `(method, amount[, reference])`, amounts in the shop's
      currency (> 0, at most its decimals). Store credit is redeemed from the sale's customer.
    - `idempotency_key` (1 to 100 characters, unique per shop): a payment already received with
      this key is returned as it is and nothing is written (a double click, a retried request);
      the same key for another sale is refused (`idempotency_key`).

    One transaction, under a lock of the sale row: the payments, the store-credit redemption,
    `sale.paid` up and `sale.balance_due` down by the amount, one journal entry (Dr Cash / Card
    payments clearing / Customer store credit, Cr Customer receivables; source = the payment) and
    the customer's activity. Raises `SaleError` — `unknown_sale`, `not_completed` (a draft or a
    voided sale), `nothing_owed`, `overpayment` (more than the balance owed), `bad_payment`,
    `bad_amount`, `insufficient_credit`, `idempotency_key`, `posting` — and writes nothing then.
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > 100:
        raise SaleError(_("Give an idempotency key of 1 to 100 characters."), "idempotency_key", "idempotency_key")
    with tenant_context(tenant) as tenant:
        locked = Sale.objects.select_for_update(of=("self",)).filter(tenant=tenant, pk=_pk(sale)).first()
        if locked is None:
            raise SaleError(_("Unknown sale."), "unknown_sale", "sale")
        done = BalancePayment.objects.filter(tenant=tenant, idempotency_key=key).first()
        if done is not None:
            if done.sale_id != locked.pk:
                raise SaleError(_("This idempotency key was used for a payment on another sale."), "idempotency_key", "idempotency_key")
            return done
        if locked.status not in (SaleStatus.COMPLETED, SaleStatus.PARTIALLY_RETURNED, SaleStatus.RETURNED):
            raise SaleError(_("Payments can be received only on a completed sale."), "not_completed", "sale")
        if locked.balance_due <= 0:
            raise SaleError(_("Nothing is owed on sale %(number)s.") % {"number": locked.number}, "nothing_owed", "payments")
        tenders = _parse_payments(tenant, payments)
        if not tenders:
            raise SaleError(_("Enter at least one payment."), "bad_payment", "payments")
        amount = sum((a for _m, a, _r in tenders), ZERO)
        if amount > locked.balance_due:
            raise SaleError(
                _("%(amount)s is more than the %(owed)s still owed on sale %(number)s.") % {"amount": amount, "owed": locked.balance_due, "number": locked.number},
                "overpayment", "payments",
            )
        who = actor if getattr(actor, "pk", None) else None
        received = BalancePayment(
            tenant=tenant, number=formatted(tenant, "pos.payment", "P-"), sale=locked, amount=amount,
            balance_after=locked.balance_due - amount, received_on=shop_today(tenant), actor=who,
            idempotency_key=key, note=(note or "")[:200],
        )
        try:
            with transaction.atomic():
                received.save(force_insert=True)
        except IntegrityError:
            raise SaleError(_("This idempotency key was used for a payment on another sale."), "idempotency_key", "idempotency_key") from None
        for method, value, reference in tenders:
            Payment.objects.create(tenant=tenant, sale=locked, balance_payment=received, method=method, amount=value, reference=reference)
        credit_used = sum((a for m, a, _r in tenders if m == PaymentMethod.STORE_CREDIT), ZERO)
        if credit_used > 0:
            from modules.customers.actions import InsufficientCreditError, redeem_store_credit

            try:
                redeem_store_credit(tenant, locked.customer, credit_used, actor=who, reference=received)
            except InsufficientCreditError as exc:
                raise SaleError(exc.text, "insufficient_credit", "payments") from exc
        locked.paid += amount
        locked.balance_due -= amount
        locked.save(update_fields=["paid", "balance_due", "updated_at"])

        debits: dict = {}
        for method, value, _r in tenders:
            _add(debits, _PAYMENT_ACCOUNTS[method], value)
        _post(
            tenant, description=_("Payment %(number)s on sale %(sale)s") % {"number": received.number, "sale": locked.number},
            debits=debits, credits={_PAYMENT_ACCOUNTS[RECEIVABLE]: amount}, source=received,
        )
        if locked.customer_id:
            from modules.customers.actions import record_activity

            record_activity(
                tenant, locked.customer, kind="other", amount=amount, reference=received,
                summary=(_("Payment %(number)s on sale %(sale)s; still owed: %(owed)s") % {"number": received.number, "sale": locked.number, "owed": received.balance_after})[:200],
            )
        return received


def void_sale(tenant, sale, *, actor=None, reason: str = "") -> SaleReturn:
    """Void a sale completed today (shop time) that has no returns yet: a return of every line
    with each payment given back as it came (cash, card, store credit re-issued, old gold handed
    back, the balance owed cancelled). Raises `SaleError` (`not_completed`, `not_same_day`)."""
    with tenant_context(tenant) as tenant:
        locked = Sale.objects.select_for_update(of=("self",)).filter(tenant=tenant, pk=_pk(sale)).first()
        if locked is None:
            raise SaleError(_("Unknown sale."), "unknown_sale", "sale")
        if locked.status != SaleStatus.COMPLETED:
            raise SaleError(_("Only a completed sale without returns can be voided."), "not_completed", "sale")
        if locked.sold_on != shop_today(tenant):
            raise SaleError(_("Only a sale of today can be voided; take a return instead."), "not_same_day", "sale")
        refunds = [(p.method, p.amount, p.reference) for p in locked.payments.filter(sale_return__isnull=True)]
        if locked.balance_due > 0:
            refunds.append((RECEIVABLE, locked.balance_due, ""))
        lines = [(line.pk, line.quantity) for line in locked.lines.all()]
        return return_sale_lines(tenant, locked, lines=lines, refunds=refunds, actor=actor, reason=reason or _("Void"), _void=True)


__all__ = [
    "SaleError",
    "add_line",
    "complete_draft",
    "complete_sale",
    "discard_draft",
    "discount_cap",
    "hold_sale",
    "old_gold_credit",
    "price_item",
    "receive_payment",
    "remove_line",
    "resume_sale",
    "return_sale_lines",
    "set_customer",
    "start_sale",
    "update_line",
    "void_sale",
]
