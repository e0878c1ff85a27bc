"""The sale receipt as an 80 mm roll PDF (fpdf2, as the inventory labels).

The page is 80 mm wide (72 mm printable) and as long as the receipt. Text uses the PDF core font
(Latin-1): the PDF is in English with Latin digits; for a shop whose language is Persian the
date is also given in the Jalali calendar. The HTML receipt (`pos/receipt.html`) is the fully
translated one (Persian, RTL, Persian digits) for the browser's print dialog.
"""

from __future__ import annotations

import zoneinfo
from decimal import Decimal

import jdatetime
from fpdf import FPDF

WIDTH = 80.0  # mm
MARGIN = 4.0
LINE_H = 4.2


def _latin1(text) -> str:
    return str(text).encode("latin-1", "replace").decode("latin-1")


def _money(value: Decimal, currency: str) -> str:
    places = 0 if currency in ("IRR", "JPY", "KRW") else 2
    return f"{Decimal(value):,.{places}f}"


def _local_time(sale, tenant):
    when = sale.completed_at or sale.created_at
    try:
        zone = zoneinfo.ZoneInfo(tenant.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return when.astimezone(zone)


def receipt_lines(sale, tenant) -> list[tuple[str, str, str]]:
    """The receipt as rows `(style, left, right)`; style is "title", "bold", "text" or "rule"."""
    cur = sale.currency
    when = _local_time(sale, tenant)
    rows = [("title", tenant.name, ""), ("text", f"Receipt {sale.number}", when.strftime("%Y-%m-%d %H:%M"))]
    if (tenant.default_locale or "").startswith("fa"):
        jalali = jdatetime.datetime.fromgregorian(datetime=when.replace(tzinfo=None))
        rows.append(("text", "Jalali date", jalali.strftime("%Y/%m/%d %H:%M")))
    if sale.cashier_id:
        rows.append(("text", "Cashier", sale.cashier.email))
    if sale.customer_id:
        rows.append(("text", "Customer", sale.customer.full_name))
    rows.append(("rule", "", ""))
    for line in sale.lines.all():
        qty = f"{line.quantity} x " if line.quantity > 1 else ""
        rows.append(("bold", f"{qty}{line.sku} {line.description}", _money(line.line_total, cur)))
        rows.append(("text", f"  {line.karat}K  net {line.net_weight} g  gross {line.gross_weight} g", ""))
        rows.append(("text", f"  rate/g {Decimal(line.rate_per_gram):,.2f}  metal", _money(line.metal, cur)))
        rows.append(("text", "  making charge (incl. wastage, profit)", _money(line.making, cur)))
        if line.other:
            rows.append(("text", "  stones / other", _money(line.other, cur)))
        if line.discount:
            rows.append(("text", "  discount", "-" + _money(line.discount, cur)))
        if line.tax:
            rows.append(("text", "  VAT", _money(line.tax, cur)))
    rows.append(("rule", "", ""))
    rows.append(("text", "Subtotal", _money(sale.subtotal, cur)))
    if sale.discount:
        rows.append(("text", "Discount", "-" + _money(sale.discount, cur)))
    rows.append(("text", "VAT", _money(sale.tax, cur)))
    rows.append(("bold", f"Total {cur}", _money(sale.total, cur)))
    for gold in sale.old_gold_lines.all():
        rows.append(("text", f"Old gold {gold.weight} g @ {gold.fineness}/1000, -{gold.deduction_percent}%", "-" + _money(gold.credit, cur)))
    for payment in sale.payments.filter(sale_return__isnull=True):
        if payment.method != "old_gold":
            rows.append(("text", f"Paid: {payment.get_method_display()}", _money(payment.amount, cur)))
    rows.append(("bold", "Balance owed", _money(sale.balance_due, cur)))
    rows.append(("rule", "", ""))
    rows.append(("text", "Thank you!", ""))
    return rows


def receipt_pdf(sale, tenant) -> bytes:
    """The receipt of a completed `sale` of `tenant` as PDF bytes (80 mm wide)."""
    rows = receipt_lines(sale, tenant)
    height = MARGIN * 2 + LINE_H * (len(rows) + 2) + 6
    pdf = FPDF(orientation="P", unit="mm", format=(WIDTH, max(height, 60)))
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_title(_latin1(f"Receipt {sale.number}"))
    pdf.set_creator("Zargar")
    pdf.add_page()
    inner = WIDTH - 2 * MARGIN
    for style, left, right in rows:
        if style == "rule":
            y = pdf.get_y() + LINE_H / 2
            pdf.line(MARGIN, y, WIDTH - MARGIN, y)
            pdf.ln(LINE_H)
            continue
        if style == "title":
            pdf.set_font("Helvetica", "B", 12)
            pdf.cell(inner, LINE_H + 2, _latin1(left), align="C", new_x="LMARGIN", new_y="NEXT")
            continue
        pdf.set_font("Helvetica", "B" if style == "bold" else "", 8 if style == "bold" else 7)
        right_w = pdf.get_string_width(_latin1(right)) + 1 if right else 0
        left_text = _latin1(left)
        while left_text and pdf.get_string_width(left_text) > inner - right_w - 1:
            left_text = left_text[:-1]
        pdf.cell(inner - right_w, LINE_H, left_text)
        pdf.cell(right_w, LINE_H, _latin1(right), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
