"""complete_sale: pricing, split payments, postings, stock, idempotency, refusals that write nothing,
store credit, old gold, balance owed, numbering, discounts and VAT.

Board rates of `make_pos_shop` (USD per gram): 24K buy 60 / sell 65, 18K buy 45 / sell 50,
21K buy 52 / sell 57. `make_sellable_piece`: 18K, 10 g net, making 10 % of the metal, cost 200.
So one ring = metal 10 × 50 = 500.00 + making 10 % = 50.00 → 550.00 (no VAT, no profit).
`make_lot_item`: 21K, 2 g per unit, making 5.00 per gram, cost 100 per unit: one unit =
metal 2 × 57 = 114.00 + making 2 × 5 = 10.00 → 124.00.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django_ledger.models import JournalEntryModel

from modules.customers.actions import find_or_create_customer, issue_store_credit
from modules.customers.models import CustomerActivity, StoreCreditEntry
from modules.customers.selectors import credit_balance
from modules.inventory.models import Item, Lot, StockMovement
from modules.pos import actions
from modules.pos.models import OldGoldLine, Payment, Sale, SaleLine
from zargar.core.models import DocumentSequence
from zargar.tenancy.context import tenant_context

from .helpers import journal_lines, key, make_lot_item, make_pos_shop, make_sellable_piece, sell

pytestmark = pytest.mark.django_db


def counts(tenant) -> dict:
    """Rows a sale writes, counted in the shop."""
    with tenant_context(tenant):
        return {
            "sales": Sale.objects.filter(tenant=tenant).count(),
            "lines": SaleLine.objects.filter(tenant=tenant).count(),
            "payments": Payment.objects.filter(tenant=tenant).count(),
            "old_gold": OldGoldLine.objects.filter(tenant=tenant).count(),
            "movements": StockMovement.objects.filter(tenant=tenant).count(),
            "credit": StoreCreditEntry.objects.filter(tenant=tenant).count(),
            "activity": CustomerActivity.objects.filter(tenant=tenant).count(),
            "journal": JournalEntryModel.objects.count(),
            "counter": DocumentSequence.objects.filter(tenant=tenant, key="pos.sale").values_list("last_value", flat=True).first() or 0,
            "on_hand": sorted(Item.objects.filter(tenant=tenant).values_list("sku", "quantity")),
        }


def balanced(lines: dict) -> bool:
    debit = sum(v for (_k, side), v in lines.items() if side == "debit")
    credit = sum(v for (_k, side), v in lines.items() if side == "credit")
    return debit == credit and debit > 0


@pytest.fixture
def shop():
    return make_pos_shop("Golden Counter")


def test_two_line_sale_with_split_payment_posts_one_balanced_entry_and_takes_stock(shop):
    t = shop.tenant
    ring = make_sellable_piece(shop, "R-1")
    chain = make_lot_item(shop, "C-1", quantity=5)
    before = counts(t)
    sale = actions.complete_sale(
        t, cashier=shop.member, idempotency_key=key(),
        lines=[{"barcode": ring.tag}, {"item": chain.pk, "quantity": 2}],
        payments=[{"method": "cash", "amount": D("300.00")}, ("card", D("498.00"), "slip 77")],
    )
    # 550.00 (ring) + 2 × 124.00 (chain) = 798.00
    assert (sale.number, sale.status, sale.total, sale.paid, sale.balance_due, sale.cost) == ("S-000001", "completed", D("798.00"), D("798.00"), D("0.00"), D("400.00"))
    after = counts(t)
    assert after["sales"] == before["sales"] + 1 and after["lines"] == 2 and after["payments"] == 2
    assert after["journal"] == before["journal"] + 1  # ONE entry
    lines = journal_lines(t, sale)
    assert lines == {
        ("cash", "debit"): D("300.00"),
        ("card_clearing", "debit"): D("498.00"),
        ("cost_of_goods_sold", "debit"): D("400.00"),
        ("sales_revenue", "credit"): D("728.00"),  # metal 500 + 2 × 114
        ("making_charge_revenue", "credit"): D("70.00"),  # 50 + 2 × 10
        ("gold_stock", "credit"): D("400.00"),  # cost 200 + 2 × 100
    }
    assert balanced(lines)
    with tenant_context(t):
        moves = StockMovement.objects.filter(tenant=t, kind="sale", document_id=str(sale.pk))
        assert sorted((m.item.sku, m.quantity, m.net_weight) for m in moves) == [("C-1", -2, D("-4.000")), ("R-1", -1, D("-10.000"))]
        assert Item.objects.get(pk=ring.pk).quantity == 0 and Item.objects.get(pk=chain.pk).quantity == 3
        line = sale.lines.get(item=ring)
        assert (line.metal, line.making, line.line_total, line.unit_cost, line.rate_per_gram) == (D("500.00"), D("50.00"), D("550.00"), D("200.00"), D("50.000000"))
        assert line.breakdown["metal_value"] == "500.00"
        assert sale.payments.get(method="card").reference == "slip 77"


def test_same_idempotency_key_gives_one_sale(shop):
    t = shop.tenant
    ring = make_sellable_piece(shop, "R-1")
    k = key()
    first = actions.complete_sale(t, cashier=shop.member, idempotency_key=k, lines=[{"item": ring.pk}], payments=[("cash", D("550.00"))])
    before = counts(t)
    # The piece is sold now: a real second sale would be refused; the retry answers the first.
    again = actions.complete_sale(t, cashier=shop.member, idempotency_key=k, lines=[{"item": ring.pk}], payments=[("cash", D("550.00"))])
    assert again.pk == first.pk and again.number == "S-000001"
    assert counts(t) == before


def test_oversell_is_refused_and_nothing_is_written(shop):
    t = shop.tenant
    ring = make_sellable_piece(shop, "R-1")
    chain = make_lot_item(shop, "C-1", quantity=2)
    before = counts(t)
    with pytest.raises(actions.SaleError) as raised:
        actions.complete_sale(t, cashier=shop.member, idempotency_key=key(), lines=[{"item": ring.pk}, {"item": chain.pk, "quantity": 3}], payments=[("cash", D("922.00"))])
    assert raised.value.code == "out_of_stock"
    assert "C-1" in raised.value.text and "3 asked, 2 on hand" in raised.value.text
    assert counts(t) == before
    # The number was not used up: the next sale is S-000001.
    assert sell(shop, [ring]).number == "S-000001"


@pytest.mark.parametrize(
    "case, code",
    [
        ("unknown_barcode", "unknown_barcode"),
        ("negative_weight", "bad_weight"),
        ("no_rate", "no_rate"),
        ("underpaid_without_customer", "customer_required"),
        ("overpaid", "payments_mismatch"),
        ("discount_above_cap", "discount_above_cap"),
        ("float_amount", "bad_amount"),
        ("store_credit_without_customer", "customer_required"),
    ],
)
def test_bad_input_is_refused_with_a_clear_error_and_posts_nothing(shop, case, code):
    t = shop.tenant
    ring = make_sellable_piece(shop, "R-1")
    piece22 = make_sellable_piece(shop, "K22", karat=22)  # the board has no 22K rate
    args = {"lines": [{"item": ring.pk}], "payments": [("cash", D("550.00"))]}
    if case == "unknown_barcode":
        args["lines"] = [{"barcode": "NO-SUCH-TAG"}]
    elif case == "negative_weight":
        args["old_gold"] = [{"weight": D("-1.000"), "fineness": 750}]
        args["payments"] = [("cash", D("500.00"))]
    elif case == "no_rate":
        args["lines"] = [{"item": piece22.pk}]
    elif case == "underpaid_without_customer":
        args["payments"] = [("cash", D("549.99"))]
    elif case == "overpaid":
        args["payments"] = [("cash", D("550.00")), ("card", D("0.01"))]
    elif case == "discount_above_cap":  # member cap 5 % of 550.00 = 27.50
        args["lines"] = [{"item": ring.pk, "discount": D("28.00")}]
        args["payments"] = [("cash", D("522.00"))]
    elif case == "float_amount":
        args["payments"] = [("cash", 550.0)]
    elif case == "store_credit_without_customer":
        args["payments"] = [("store_credit", D("550.00"))]
    before = counts(t)
    with pytest.raises(actions.SaleError) as raised:
        actions.complete_sale(t, cashier=shop.member, idempotency_key=key(), **args)
    assert raised.value.code == code, raised.value.text
    assert raised.value.text  # a sentence for the cashier
    assert counts(t) == before


def test_discount_caps_per_role_and_vat_after_discount():
    shop = make_pos_shop(vat_percent="9", tax_rule="vat_total")
    t = shop.tenant
    ring1, ring2, ring3 = (make_sellable_piece(shop, f"R-{n}") for n in (1, 2, 3))
    # Member: 5 % of 550.00 = 27.50 is allowed. VAT 9 % of (550.00 − 27.50) = 47.025 → 47.03.
    sale = actions.complete_sale(t, cashier=shop.member, idempotency_key=key(), lines=[{"item": ring1.pk, "discount": D("27.50")}], payments=[("cash", D("569.53"))])
    assert (sale.subtotal, sale.discount, sale.tax, sale.total) == (D("550.00"), D("27.50"), D("47.03"), D("569.53"))
    assert journal_lines(t, sale) == {
        ("cash", "debit"): D("569.53"),
        ("sales_discounts", "debit"): D("27.50"),
        ("cost_of_goods_sold", "debit"): D("200.00"),
        ("sales_revenue", "credit"): D("500.00"),
        ("making_charge_revenue", "credit"): D("50.00"),
        ("vat_payable", "credit"): D("47.03"),
        ("gold_stock", "credit"): D("200.00"),
    }
    # Admin: 20 % = 110.00 allowed (sale-level discount), 110.01 not.
    with pytest.raises(actions.SaleError) as raised:
        actions.complete_sale(t, cashier=shop.admin, idempotency_key=key(), lines=[{"item": ring2.pk}], discount=D("110.01"), payments=[("cash", D("479.59"))])
    assert raised.value.code == "discount_above_cap"
    # Viewer may not sell at all.
    with pytest.raises(actions.SaleError) as raised:
        actions.complete_sale(t, cashier=shop.viewer, idempotency_key=key(), lines=[{"item": ring2.pk}], payments=[("cash", D("599.50"))])
    assert raised.value.code == "not_allowed"
    # Owner: no cap. 50 % off: VAT 9 % of 275.00 = 24.75.
    sale = actions.complete_sale(t, cashier=shop.owner, idempotency_key=key(), lines=[{"item": ring3.pk}], discount=D("275.00"), payments=[("cash", D("299.75"))])
    assert sale.total == D("299.75")


def test_store_credit_redemption(shop):
    t = shop.tenant
    ring = make_sellable_piece(shop, "R-1")
    with tenant_context(t):
        sara, _ = find_or_create_customer(t, phone="+989121234567", name="Sara")
        issue_store_credit(t, sara, D("100.00"), actor=shop.owner)
    sale = actions.complete_sale(t, cashier=shop.member, customer=sara, idempotency_key=key(), lines=[{"item": ring.pk}], payments=[("store_credit", D("100.00")), ("cash", D("450.00"))])
    with tenant_context(t):
        assert credit_balance(sara) == D("0.00")
        entry = StoreCreditEntry.objects.get(tenant=t, kind="redeem")
        assert entry.amount == D("-100.00") and entry.reference_id == str(sale.pk)
        activity = CustomerActivity.objects.get(tenant=t, customer=sara, kind="sale")
        assert activity.amount == D("550.00") and sale.number in activity.summary
    lines = journal_lines(t, sale)
    assert lines[("customer_store_credit", "debit")] == D("100.00") and lines[("cash", "debit")] == D("450.00") and balanced(lines)
    # More credit than the balance: refused, nothing written.
    ring2 = make_sellable_piece(shop, "R-2")
    before = counts(t)
    with pytest.raises(actions.SaleError) as raised:
        actions.complete_sale(t, cashier=shop.member, customer=sara, idempotency_key=key(), lines=[{"item": ring2.pk}], payments=[("store_credit", D("10.00")), ("cash", D("540.00"))])
    assert raised.value.code == "insufficient_credit"
    assert counts(t) == before


def test_old_gold_exchange_math_and_posting(shop):
    """3.200 g of 750 old gold, 5 % melting deduction, 24K buy rate 60.00/g:
    fine weight = 3.200 × 750 / 1000 = 2.4 g; value = 2.4 × 60 = 144.00;
    deduction = 144.00 × 5 % = 7.20; credit = 144.00 − 7.20 = 136.80.
    The ring costs 550.00, so 550.00 − 136.80 = 413.20 is paid in cash."""
    t = shop.tenant
    ring = make_sellable_piece(shop, "R-1")
    sale = actions.complete_sale(
        t, cashier=shop.member, idempotency_key=key(), lines=[{"item": ring.pk}], payments=[("cash", D("413.20"))],
        old_gold=[{"weight": D("3.200"), "fineness": 750, "deduction_percent": D("5"), "description": "old bangle"}],
    )
    with tenant_context(t):
        gold = sale.old_gold_lines.get()
        assert (gold.fine_weight, gold.value, gold.deduction, gold.credit, gold.rate_per_gram) == (D("2.4000"), D("144.00"), D("7.20"), D("136.80"), D("60.000000"))
        assert sale.payments.get(method="old_gold").amount == D("136.80")
    assert (sale.old_gold_credit, sale.paid, sale.balance_due) == (D("136.80"), D("413.20"), D("0.00"))
    lines = journal_lines(t, sale)
    assert lines[("old_gold_stock", "debit")] == D("136.80") and lines[("cash", "debit")] == D("413.20")
    assert lines[("sales_revenue", "credit")] == D("500.00") and balanced(lines)


def test_partial_payment_becomes_a_customer_receivable(shop):
    t = shop.tenant
    ring = make_sellable_piece(shop, "R-1")
    with tenant_context(t):
        reza, _ = find_or_create_customer(t, phone="+989351112233", name="Reza")
    sale = actions.complete_sale(t, cashier=shop.member, customer=reza, idempotency_key=key(), lines=[{"item": ring.pk}], payments=[("cash", D("200.00"))])
    assert (sale.paid, sale.balance_due) == (D("200.00"), D("350.00"))
    lines = journal_lines(t, sale)
    assert lines[("customer_receivables", "debit")] == D("350.00") and lines[("cash", "debit")] == D("200.00") and balanced(lines)


def test_receipt_numbers_are_per_shop_and_gap_free():
    a, b = make_pos_shop("Shop A"), make_pos_shop("Shop B")
    a1, a2, b1 = make_sellable_piece(a, "X-1"), make_sellable_piece(a, "X-2"), make_sellable_piece(b, "X-1")
    assert sell(a, [a1]).number == "S-000001"
    assert sell(b, [b1]).number == "S-000001"
    with pytest.raises(actions.SaleError):
        sell(a, [a1])  # sold already: refused, takes no number
    assert sell(a, [a2]).number == "S-000002"


def test_another_shops_item_or_customer_is_unknown():
    a, b = make_pos_shop("Shop A"), make_pos_shop("Shop B")
    b_ring = make_sellable_piece(b, "B-1")
    with tenant_context(b.tenant):
        b_customer, _ = find_or_create_customer(b.tenant, phone="+989120000000", name="B")
    a_ring = make_sellable_piece(a, "A-1")
    with pytest.raises(actions.SaleError) as raised:
        actions.complete_sale(a.tenant, cashier=a.member, idempotency_key=key(), lines=[{"item": b_ring.pk}], payments=[("cash", D("550.00"))])
    assert raised.value.code == "unknown_item"
    with pytest.raises(actions.SaleError) as raised:
        actions.complete_sale(a.tenant, cashier=a.member, customer=b_customer, idempotency_key=key(), lines=[{"item": a_ring.pk}], payments=[("cash", D("550.00"))])
    assert raised.value.code == "unknown_customer"
    with tenant_context(b.tenant):
        assert Item.objects.get(pk=b_ring.pk).quantity == 1


def test_lot_is_remembered_for_returns(shop):
    chain = make_lot_item(shop, "C-1", quantity=3)
    sale = sell(shop, [{"item": chain.pk, "quantity": 1}])
    with tenant_context(shop.tenant):
        assert sale.lines.get().lot_id == Lot.objects.get(item=chain).pk
