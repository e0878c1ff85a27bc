"""Builders for point-of-sale tests (and the later state-machine, concurrency and bench tests).

    shop = make_pos_shop()                         # a shop with owner/admin/member/viewer and board rates
    ring = make_sellable_piece(shop, "R-1")        # an 18K piece in stock, cost 200.00
    sale = sell(shop, [ring])                      # completed, paid in cash

Not a conftest: import what you need. Rates (USD per gram): 24K buy 60 / sell 65, 18K buy 45 /
sell 50, 21K buy 52 / sell 57. No VAT and no profit unless the test sets them.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from decimal import Decimal as D

from modules.inventory import actions as inventory
from modules.rates import actions as rates
from tests.factories import make_member, make_shop
from zargar.tenancy.context import tenant_context

from .. import actions

_seq = itertools.count(1)

RATES = {"gold_999": (D("60"), D("65")), "gold_750": (D("45"), D("50")), "gold_875": (D("52"), D("57"))}


@dataclass
class PosShop:
    tenant: object
    owner: object
    people: dict = field(default_factory=dict)

    def __getattr__(self, name):
        people = self.__dict__.get("people") or {}
        if name in people:
            return people[name]
        raise AttributeError(name)


def make_pos_shop(name: str | None = None, *, rates_per_gram: dict | None = None, currency: str = "USD", vat_percent: str | None = None, tax_rule: str | None = None) -> PosShop:
    """A shop with an owner, an admin, a member and a viewer, and board rates (per gram)."""
    tenant, owner = make_shop(name or f"POS Shop {next(_seq)}")
    if currency != tenant.currency:
        tenant.currency = currency
        tenant.save(update_fields=["currency"])
    people = {"owner": owner, "admin": make_member(tenant, "admin"), "member": make_member(tenant, "member"), "viewer": make_member(tenant, "viewer")}
    with tenant_context(tenant):
        for purity, (buy, sell) in (rates_per_gram or RATES).items():
            rates.record_rate(tenant, purity=purity, unit="gram", buy=buy, sell=sell, entered_by=owner)
        if vat_percent is not None or tax_rule is not None:
            rates.save_settings(tenant, general={"vat_percent": vat_percent or "0", "tax_rule": tax_rule or "vat_total"})
    return PosShop(tenant, owner, people)


def make_sellable_piece(shop, sku: str | None = None, *, karat: int = 18, net_weight=D("10.000"), gross_weight=None, making_mode: str = "percent",
                        making_value=D("10"), unit_cost=D("200.00"), stones=None, **extra):
    """A serialized piece in stock (received at `unit_cost`, posted Dr stock / Cr payables)."""
    tenant = getattr(shop, "tenant", shop)
    sku = sku or f"P-{next(_seq)}"
    with tenant_context(tenant):
        return inventory.create_item(
            tenant, sku=sku, name=f"Ring {sku}", karat=karat, gross_weight=gross_weight or net_weight + D("0.500"), net_weight=net_weight,
            price=D("0"), making_mode=making_mode, making_value=making_value, quantity=1, unit_cost=unit_cost, stones=stones, **extra,
        )


def make_lot_item(shop, sku: str | None = None, *, quantity: int = 5, karat: int = 21, net_weight=D("2.000"), unit_cost=D("100.00"), **extra):
    """A lot-tracked design with `quantity` units in one lot (net weight per unit)."""
    tenant = getattr(shop, "tenant", shop)
    sku = sku or f"L-{next(_seq)}"
    with tenant_context(tenant):
        return inventory.create_item(
            tenant, sku=sku, name=f"Chain {sku}", karat=karat, gross_weight=net_weight, net_weight=net_weight, price=D("0"), tracking="lot",
            making_mode="per_gram", making_value=D("5"), quantity=quantity, unit_cost=unit_cost, **extra,
        )


def key() -> str:
    return f"test-{uuid.uuid4()}"


def sell(shop, items, *, cashier=None, payments=None, **kwargs):
    """Complete a sale of `items` (Items, or line dicts); paid in full in cash by default."""
    tenant = getattr(shop, "tenant", shop)
    lines = [item if isinstance(item, dict) else {"item": item.pk} for item in items]
    cashier = cashier or getattr(shop, "owner", None)
    if payments is None:
        with tenant_context(tenant):
            total = quote_total(tenant, lines, discount=kwargs.get("discount"))
        credit = sum((g_credit(tenant, g) for g in kwargs.get("old_gold", ())), D("0"))
        payments = [("cash", total - credit)] if total - credit > 0 else []
    return actions.complete_sale(tenant, cashier=cashier, lines=lines, payments=payments, idempotency_key=kwargs.pop("idempotency_key", None) or key(), **kwargs)


def quote_total(tenant, lines, *, discount=None) -> D:
    """What `complete_sale` would charge for `lines` now (no writes)."""
    from zargar.tenancy.roles import Role

    from django.utils import timezone

    parsed = actions._parse_lines(tenant, lines, now=timezone.now())
    actions._apply_discounts(tenant, Role.OWNER, parsed, D(str(discount or "0")))
    return sum((ln.amounts["line_total"] for ln in parsed), D("0"))


def g_credit(tenant, spec) -> D:
    from modules.rates.selectors import current_rate

    with tenant_context(tenant):
        rate = current_rate(tenant, "gold_999")
        return actions.old_gold_credit(tenant, weight=D(str(spec["weight"])), fineness=int(spec["fineness"]), deduction_percent=D(str(spec.get("deduction_percent", "0"))), rate_per_gram=rate.buy_per_gram)[3]


def journal_lines(tenant, document) -> dict:
    """`{(account key, "debit"|"credit"): amount}` of the journal entry posted for `document`."""
    from django_ledger.models import TransactionModel

    from modules.accounting.chart import SPECS_BY_CODE

    from .. import selectors

    with tenant_context(tenant):
        je = selectors.journal_entry_of(tenant, document)
        if je is None:
            return {}
        out: dict = {}
        for tx in TransactionModel.objects.filter(journal_entry=je).select_related("account"):
            k = (SPECS_BY_CODE[tx.account.code].key.value, tx.tx_type)
            out[k] = out.get(k, D("0")) + tx.amount
        return out
