"""Returns, voids, hold/resume of the cart, and the receipt PDF. Prices as in test_sales.py:
a ring = 550.00 (metal 500.00 + making 50.00, cost 200.00); a chain unit = 124.00 (metal
114.00 + making 10.00, cost 100.00)."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from pypdf import PdfReader

from modules.customers.actions import find_or_create_customer
from modules.customers.selectors import credit_balance
from modules.inventory.models import Item, Lot, StockMovement
from modules.pos import actions
from modules.pos.models import SaleReturn
from modules.pos.receipts import receipt_pdf
from modules.rates import actions as rates
from zargar.tenancy.context import tenant_context

from .helpers import journal_lines, key, make_lot_item, make_pos_shop, make_sellable_piece, sell

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    """The shop, with its tenant context active for the whole test (reads of the documents
    under RLS; the actions nest their own context)."""
    shop = make_pos_shop("Return Desk")
    with tenant_context(shop.tenant):
        yield shop


def test_partial_return_restocks_posts_the_reversal_and_refuses_more_than_sold(shop):
    t = shop.tenant
    ring = make_sellable_piece(shop, "R-1")
    chain = make_lot_item(shop, "C-1", quantity=3)
    with tenant_context(t):
        sara, _ = find_or_create_customer(t, phone="+989121234567", name="Sara")
    sale = sell(shop, [ring, {"item": chain.pk, "quantity": 2}], customer=sara)
    assert sale.total == D("798.00")
    chain_line = sale.lines.get(item=chain)
    first = actions.return_sale_lines(t, sale, lines=[{"line": chain_line.pk, "quantity": 1}], refunds=[("cash", D("124.00"))], actor=shop.admin)
    assert (first.number, first.total, first.cost) == ("R-000001", D("124.00"), D("100.00"))
    with tenant_context(t):
        assert Item.objects.get(pk=chain.pk).quantity == 2
        assert Lot.objects.get(item=chain).quantity == 2
        back = StockMovement.objects.get(tenant=t, kind="return", document_id=str(first.pk))
        assert (back.quantity, back.net_weight) == (1, D("2.000"))
    assert journal_lines(t, first) == {
        ("sales_revenue", "debit"): D("114.00"),
        ("making_charge_revenue", "debit"): D("10.00"),
        ("gold_stock", "debit"): D("100.00"),
        ("cash", "credit"): D("124.00"),
        ("cost_of_goods_sold", "credit"): D("100.00"),
    }
    sale.refresh_from_db()
    assert sale.status == "partially_returned" and sale.refunded == D("124.00")
    # 2 more of the chain: only 1 is left to return.
    with pytest.raises(actions.SaleError) as raised:
        actions.return_sale_lines(t, sale, lines=[{"line": chain_line.pk, "quantity": 2}], actor=shop.admin)
    assert raised.value.code == "return_too_many" and "only 1 of 2" in raised.value.text
    # Refunds that do not add up are refused.
    with pytest.raises(actions.SaleError) as raised:
        actions.return_sale_lines(t, sale, lines=[(chain_line.pk, 1)], refunds=[("cash", D("100.00"))], actor=shop.admin)
    assert raised.value.code == "refund_mismatch"
    with tenant_context(t):
        assert SaleReturn.objects.filter(tenant=t).count() == 1
    # The rest in store credit: the ring and the last chain.
    ring_line = sale.lines.get(item=ring)
    second = actions.return_sale_lines(t, sale, lines=[(ring_line.pk, 1), (chain_line.pk, 1)], refund_method="store_credit", actor=shop.admin)
    assert (second.number, second.total) == ("R-000002", D("674.00"))
    sale.refresh_from_db()
    assert sale.status == "returned" and sale.refunded == D("798.00")
    with tenant_context(t):
        assert credit_balance(sara) == D("674.00")
        assert Item.objects.get(pk=ring.pk).quantity == 1
    assert journal_lines(t, second)[("customer_store_credit", "credit")] == D("674.00")
    with pytest.raises(actions.SaleError) as raised:
        actions.return_sale_lines(t, sale, lines=[(ring_line.pk, 1)], actor=shop.admin)
    assert raised.value.code == "not_completed"


def test_void_of_a_same_day_sale_is_a_full_return_mirroring_the_payments(shop):
    t = shop.tenant
    ring = make_sellable_piece(shop, "R-1")
    with tenant_context(t):
        reza, _ = find_or_create_customer(t, phone="+989351112233", name="Reza")
    sale = actions.complete_sale(
        t, cashier=shop.member, customer=reza, idempotency_key=key(), lines=[{"item": ring.pk}], payments=[("cash", D("200.00"))],
        old_gold=[{"weight": D("1.000"), "fineness": 750}],  # 0.75 g × 60 = 45.00 credit
    )
    assert (sale.old_gold_credit, sale.balance_due) == (D("45.00"), D("305.00"))
    voided = actions.void_sale(t, sale, actor=shop.admin)
    sale.refresh_from_db()
    assert voided.is_void and sale.status == "voided" and sale.balance_due == D("0.00")
    with tenant_context(t):
        assert Item.objects.get(pk=ring.pk).quantity == 1
    assert journal_lines(t, voided) == {
        ("sales_revenue", "debit"): D("500.00"),
        ("making_charge_revenue", "debit"): D("50.00"),
        ("gold_stock", "debit"): D("200.00"),
        ("cash", "credit"): D("200.00"),
        ("old_gold_stock", "credit"): D("45.00"),
        ("customer_receivables", "credit"): D("305.00"),
        ("cost_of_goods_sold", "credit"): D("200.00"),
    }
    with pytest.raises(actions.SaleError) as raised:
        actions.void_sale(t, sale, actor=shop.admin)
    assert raised.value.code == "not_completed"


def test_hold_and_resume_reprices_unless_a_quote_lock_holds(shop):
    t = shop.tenant
    ring, ring2 = make_sellable_piece(shop, "R-1"), make_sellable_piece(shop, "R-2")
    with tenant_context(t):
        quote = rates.quote_price(t, purity="gold_750", net_weight=D("10.000"), making_mode="percent", making_value=D("10"))
    assert quote.total == D("550.00")
    cart = actions.start_sale(t, cashier=shop.member)
    actions.add_line(t, cart, barcode=ring.tag)
    actions.add_line(t, cart, item=ring2.pk, quote=quote.reference)
    with pytest.raises(actions.SaleError) as raised:
        actions.add_line(t, cart, item=ring.pk)  # the piece is in the cart already
    assert raised.value.code == "out_of_stock"
    held = actions.hold_sale(t, cart)
    assert held.status == "held" and held.lines.count() == 2
    with tenant_context(t):
        rates.record_rate(t, purity="gold_750", unit="gram", buy=D("50"), sell=D("55"), entered_by=shop.owner)
    resumed = actions.resume_sale(t, held)
    assert resumed.status == "draft"
    with tenant_context(t):
        live, locked = resumed.lines.get(item=ring), resumed.lines.get(item=ring2)
        assert live.line_total == D("605.00")  # 10 g × 55 = 550.00 + 10 % = 55.00
        assert locked.line_total == D("550.00") and locked.quote_id == quote.pk  # the quote's lock holds
    sale = actions.complete_draft(t, resumed, cashier=shop.member, payments=[("cash", D("1155.00"))])
    assert (sale.pk, sale.number, sale.status, sale.total) == (resumed.pk, "S-000001", "completed", D("1155.00"))
    # A double click completes it once.
    assert actions.complete_draft(t, resumed, cashier=shop.member, payments=[("cash", D("1155.00"))]).pk == sale.pk
    with tenant_context(t):
        assert StockMovement.objects.filter(tenant=t, kind="sale").count() == 2


def test_receipt_pdf_is_a_valid_80mm_pdf(shop):
    t = shop.tenant
    ring = make_sellable_piece(shop, "R-1")
    sale = sell(shop, [ring])
    with tenant_context(t):
        data = receipt_pdf(sale, t)
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    assert round(float(page.mediabox.width) * 25.4 / 72, 1) == 80.0
    text = page.extract_text()
    assert "S-000001" in text and "Return Desk" in text and "550.00" in text and "18K" in text


def test_receipt_pdf_in_persian_is_shaped_right_to_left_with_jalali_date_and_persian_digits(shop):
    import jdatetime
    from django.utils import translation

    t = shop.tenant
    ring = make_sellable_piece(shop, "R-1")
    sale = sell(shop, [ring])
    with tenant_context(t), translation.override("fa"):
        data = receipt_pdf(sale, t)  # the active language
    reader = PdfReader(io.BytesIO(data))
    text = reader.pages[0].extract_text()
    year = str(jdatetime.date.fromgregorian(date=sale.completed_at.date()).year).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert "رسید" in text and "صندوقدار" in text and "جمع کل" in text and "سپاس" in text
    # pypdf gives the glyphs of a right-to-left run in visual order: a number may come reversed.
    assert ("۵۵۰٫۰۰" in text or "۰۰٫۰۵۵" in text) and "550.00" not in text and (year in text or year[::-1] in text)
    fonts = {str(font["/BaseFont"]) for font in (reader.pages[0]["/Resources"]["/Font"][name].get_object() for name in reader.pages[0]["/Resources"]["/Font"])}
    assert any("Vazirmatn" in name for name in fonts), fonts
    with tenant_context(t):
        english = PdfReader(io.BytesIO(receipt_pdf(sale, t, "en"))).pages[0].extract_text()
    assert "Receipt S-000001" in english and "550.00" in english and "رسید" not in english
