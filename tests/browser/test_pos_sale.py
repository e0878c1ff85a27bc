"""Issue 3, "done when": a cashier (member role) logs in through the login page, rings a two-line
sale on the sale screen by scanning two tags, takes a split payment (cash + card), completes
it, prints the receipt (the receipt page and its PDF), and the owner finds the sale's journal
entry in the journal. Screenshots are kept in test-artifacts/screens/pos-*.png."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from modules.pos.models import Sale
from modules.pos.tests.helpers import make_pos_shop, make_sellable_piece, journal_lines
from tests.factories import PASSWORD
from zargar.tenancy.context import tenant_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")


def test_cashier_rings_two_line_split_payment_sale_prints_receipt_and_owner_finds_the_entry(live_server, page, screenshot):
    base = live_server.url
    shop = make_pos_shop("Browser Gold Bazaar")
    ring = make_sellable_piece(shop, "BR-RING")  # 550.00 each: metal 500.00 + making 50.00
    bangle = make_sellable_piece(shop, "BR-BANGLE")

    # The cashier logs in through the login page and opens the sale screen.
    _log_in(page, base, shop.member.email)
    page.goto(f"{base}/app/pos/")
    page.wait_for_selector("[data-testid=scan]")
    screenshot("pos-01-sale-screen")

    # Scan the two tags into the scan box.
    for piece in (ring, bangle):
        page.fill("[data-testid=scan]", piece.tag)
        page.keyboard.press("Enter")
        page.locator("[data-testid=cart-lines]").get_by_text(piece.sku, exact=True).wait_for()
    cart = page.locator("[data-testid=cart-lines]")
    assert "BR-RING" in cart.inner_text() and "BR-BANGLE" in cart.inner_text()
    assert "1,100.00" in page.locator("[data-testid=cart-total]").inner_text()
    screenshot("pos-02-two-lines")

    # Split payment: 600.00 cash, 500.00 card; complete.
    page.fill("input[name=cash]", "600.00")
    page.fill("input[name=card]", "500.00")
    page.fill("input[name=card_reference]", "slip 4242")
    screenshot("pos-03-split-payment")
    page.click("[data-testid=complete]")
    page.wait_for_url(re.compile(r".*/app/pos/sales/\d+/receipt/$"))
    assert page.locator("[data-testid=receipt-number]").inner_text().strip() == "S-000001"
    assert "1,100.00" in page.locator("[data-testid=receipt-total]").inner_text()
    screenshot("pos-04-receipt")

    # The PDF of the receipt.
    pdf_href = page.locator("[data-testid=pdf]").get_attribute("href")
    pdf = page.request.get(f"{base}{pdf_href}")
    assert pdf.status == 200 and pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body()[:5] == b"%PDF-"

    with tenant_context(shop.tenant):
        sale = Sale.objects.get(tenant=shop.tenant, number="S-000001")
        assert (sale.status, sale.total, sale.paid, sale.balance_due, sale.cashier_id) == ("completed", D("1100.00"), D("1100.00"), D("0.00"), shop.member.pk)
        assert sorted(sale.payments.values_list("method", "amount")) == [("card", D("500.00")), ("cash", D("600.00"))]
    assert journal_lines(shop.tenant, sale) == {
        ("cash", "debit"): D("600.00"),
        ("card_clearing", "debit"): D("500.00"),
        ("cost_of_goods_sold", "debit"): D("400.00"),
        ("sales_revenue", "credit"): D("1000.00"),
        ("making_charge_revenue", "credit"): D("100.00"),
        ("gold_stock", "credit"): D("400.00"),
    }

    # The books are for admins: a member is refused, the owner finds the sale's entry.
    denied = page.request.get(f"{base}/app/accounting/journal/")
    assert denied.status == 403
    page.context.clear_cookies()
    _log_in(page, base, shop.owner.email)
    page.goto(f"{base}/app/accounting/journal/")
    entry = page.locator("article", has_text="Sale S-000001")
    assert entry.count() == 1
    text = entry.inner_text()
    assert "600.00" in text and "500.00" in text and "1000.00" in text and "Source: Sale S-000001" in text
    screenshot("pos-05-journal")
    entry.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/app/accounting/journal/[0-9a-f-]{36}/$"))
    assert "Sale S-000001" in page.content()
    screenshot("pos-06-journal-entry")


def test_cashier_in_persian_dark_receives_the_balance_owed_later_split_over_cash_and_card(live_server, page, screenshot):
    """A sale left 350.00 owed; later a cashier (Persian, dark theme) takes 300.00 cash + 50.00 card
    on the sale page: the paid/owed history shows the payment, the customer's page no longer shows
    a balance, the books got Dr cash + card / Cr customer receivables, the PDF receipt is Persian."""
    from modules.customers.actions import find_or_create_customer
    from modules.pos import actions
    from modules.pos.tests.helpers import key

    base = live_server.url
    shop = make_pos_shop("Browser Owed Gold")
    ring = make_sellable_piece(shop, "BR-OWED")
    shop.member.language, shop.member.theme = "fa", "dark"
    shop.member.save(update_fields=["language", "theme"])
    with tenant_context(shop.tenant):
        customer, _ = find_or_create_customer(shop.tenant, phone="+989121234567", name="مریم رضایی")
    sale = actions.complete_sale(shop.tenant, cashier=shop.member, customer=customer, idempotency_key=key(), lines=[{"item": ring.pk}], payments=[("cash", D("200.00"))])

    _log_in(page, base, shop.member.email)
    page.goto(f"{base}/app/customers/{customer.pk}/")
    owed = page.get_by_test_id("customer-balance-owed")
    assert "۳۵۰٫۰۰" in owed.inner_text() and "S-" in owed.inner_text()
    screenshot("pos-07-customer-balance-owed-fa-dark")

    owed.get_by_role("link").first.click()
    page.wait_for_url(re.compile(rf".*/app/pos/sales/{sale.pk}/$"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    form = page.get_by_test_id("receive-payment-form")
    form.locator("input[name=cash]").fill("300.00")
    form.locator("input[name=card]").fill("50.00")
    form.locator("input[name=card_reference]").fill("slip 9")
    screenshot("pos-08-receive-payment-fa-dark")
    page.get_by_test_id("receive-payment").click()
    page.wait_for_load_state("networkidle")
    history = page.get_by_test_id("payment-history").inner_text()
    assert "P-" in history and "۳۰۰٫۰۰" in history
    assert page.get_by_test_id("receive-payment-form").count() == 0
    screenshot("pos-09-paid-and-owed-history-fa-dark")

    with tenant_context(shop.tenant):
        sale.refresh_from_db()
        received = sale.balance_payments.get()
    assert (sale.paid, sale.balance_due) == (D("550.00"), D("0.00"))
    assert journal_lines(shop.tenant, received) == {("cash", "debit"): D("300.00"), ("card_clearing", "debit"): D("50.00"), ("customer_receivables", "credit"): D("350.00")}
    page.goto(f"{base}/app/customers/{customer.pk}/")
    assert page.get_by_test_id("customer-balance-owed").count() == 0

    pdf = page.request.get(f"{base}/app/pos/sales/{sale.pk}/receipt.pdf")
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
    import io

    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()
    assert "رسید" in text and "پرداخت" in text
