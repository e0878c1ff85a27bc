"""The sale receipt as an 80 mm roll PDF (fpdf2, as the inventory labels), in English or Persian.

    pdf_bytes = receipt_pdf(sale, shop)               # the active language (the request's)
    pdf_bytes = receipt_pdf(sale, shop, language="fa")

The page is 80 mm wide (72 mm printable) and as long as the receipt. The language is the one
given, else the active language (the panel user's / the API request's), else the shop's default
language (`Tenant.default_locale`). Every label goes through gettext in that language.

In Persian the receipt is right-to-left: labels on the right, amounts on the left, Persian digits
and separators (`zargar_format.format_number`) and the Jalali date (the Gregorian date under it);
SKUs and e-mail addresses stay Latin inside the Persian lines. Text is set in Vazirmatn (OFL, see
`fonts/README.md`: Persian and Latin glyphs) with fpdf2's text shaping (HarfBuzz through
`uharfbuzz`): Persian letters are joined and the bidirectional text is ordered by fpdf2's
Unicode bidi algorithm.
"""

from __future__ import annotations

import zoneinfo
from decimal import Decimal
from pathlib import Path

import jdatetime
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF

WIDTH = 80.0  # mm
MARGIN = 4.0
LINE_H = 4.4
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "Vazirmatn"


def _is_persian(language: str) -> bool:
    return (language or "").split("-")[0] == "fa"


def _local_time(sale, tenant):
    when = sale.completed_at or sale.created_at
    try:
        zone = zoneinfo.ZoneInfo(tenant.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return when.astimezone(zone)


def receipt_language(tenant, language: str | None = None) -> str:
    """"fa" or "en": `language`, else the active language, else the shop's default language."""
    for candidate in (language, translation.get_language(), getattr(tenant, "default_locale", "")):
        if candidate:
            return "fa" if _is_persian(candidate) else "en"
    return "en"


def receipt_lines(sale, tenant, language: str | None = None) -> list[tuple[str, str, str]]:
    """The receipt as rows `(style, label, amount)` in `language` (see `receipt_language`);
    style is "title", "bold", "text", "small" or "rule". Amounts are formatted (digits of the
    language, thousands separators, the currency's decimals)."""
    from zargar.panel.templatetags.zargar_format import format_number, to_persian_digits

    lang = receipt_language(tenant, language)
    persian = _is_persian(lang)
    cur = sale.currency
    places = 0 if cur in ("IRR", "JPY", "KRW") else 2

    with translation.override(lang):

        def money(value: Decimal, sign: str = "") -> str:
            text = format_number(Decimal(value), places)
            minus = "\u2212" if persian else "-"
            return minus + text if sign == "-" else text

        def num(value) -> str:
            text = str(value)
            return to_persian_digits(text).replace(".", "\u066b") if persian else text

        def when_text(value) -> str:
            local = value.astimezone(_local_time(sale, tenant).tzinfo)
            if persian:
                jalali = jdatetime.datetime.fromgregorian(datetime=local.replace(tzinfo=None))
                return to_persian_digits(jalali.strftime("%Y/%m/%d %H:%M"))
            return local.strftime("%Y-%m-%d %H:%M")

        when = _local_time(sale, tenant)
        rows = [("title", tenant.name, ""), ("text", _("Receipt %(number)s") % {"number": num(sale.number)}, when_text(when))]
        if persian:
            rows.append(("small", _("Gregorian date"), to_persian_digits(when.strftime("%Y-%m-%d"))))
        if sale.cashier_id:
            rows.append(("text", _("Cashier"), sale.cashier.email))
        if sale.customer_id:
            rows.append(("text", _("Customer"), sale.customer.full_name))
        rows.append(("rule", "", ""))
        for line in sale.lines.all():
            qty = f"{num(line.quantity)} × " if line.quantity > 1 else ""
            rows.append(("bold", f"{qty}{line.sku} {line.description}", money(line.line_total)))
            rows.append(("small", _("%(karat)sK · net %(net)s g · gross %(gross)s g") % {"karat": num(line.karat), "net": num(line.net_weight), "gross": num(line.gross_weight)}, ""))
            rows.append(("small", _("Metal at %(rate)s per gram") % {"rate": format_number(Decimal(line.rate_per_gram), 2)}, money(line.metal)))
            rows.append(("small", _("Making charge (incl. wastage, profit)"), money(line.making)))
            if line.other:
                rows.append(("small", _("Stones and other"), money(line.other)))
            if line.discount:
                rows.append(("small", _("Discount"), money(line.discount, "-")))
            if line.tax:
                rows.append(("small", _("VAT"), money(line.tax)))
        rows.append(("rule", "", ""))
        rows.append(("text", _("Subtotal"), money(sale.subtotal)))
        if sale.discount:
            rows.append(("text", _("Discount"), money(sale.discount, "-")))
        rows.append(("text", _("VAT"), money(sale.tax)))
        rows.append(("bold", _("Total (%(currency)s)") % {"currency": cur}, money(sale.total)))
        for gold in sale.old_gold_lines.all():
            rows.append((
                "text",
                _("Old gold %(weight)s g at %(fineness)s‰, deduction %(deduction)s %%") % {"weight": num(gold.weight), "fineness": num(gold.fineness), "deduction": num(gold.deduction_percent.normalize())},
                money(gold.credit, "-"),
            ))
        later = []
        for payment in sale.payments.filter(sale_return__isnull=True).order_by("id"):
            if payment.balance_payment_id:
                later.append(payment)
            elif payment.method != "old_gold":
                rows.append(("text", _("Paid: %(method)s") % {"method": payment.get_method_display()}, money(payment.amount)))
        owed_at_sale = sale.balance_due + sum((p.amount for p in later), Decimal(0))
        rows.append(("bold", _("Balance owed"), money(owed_at_sale)))
        if later:
            rows.append(("rule", "", ""))
            for received in sale.balance_payments.all():
                rows.append(("text", _("Payment %(number)s, %(date)s") % {"number": num(received.number), "date": when_text(received.created_at)}, money(received.amount)))
            rows.append(("bold", _("Still owed"), money(sale.balance_due)))
        rows.append(("rule", "", ""))
        rows.append(("text", _("Thank you!"), ""))
    return rows


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """`text` cut (with "…") to fit `width` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def receipt_pdf(sale, tenant, language: str | None = None) -> bytes:
    """The receipt of a completed `sale` of `tenant` as PDF bytes (80 mm wide), in `language`
    ("en" or "fa"; default: see `receipt_language`). Persian is right-to-left."""
    lang = receipt_language(tenant, language)
    persian = _is_persian(lang)
    rows = receipt_lines(sale, tenant, lang)
    height = MARGIN * 2 + LINE_H * (len(rows) + 2) + 6
    pdf = FPDF(orientation="P", unit="mm", format=(WIDTH, max(height, 60)))
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT, "", str(FONT_DIR / "Vazirmatn-Regular.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "Vazirmatn-Bold.ttf"))
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if persian else "ltr")
    with translation.override(lang):
        pdf.set_title(_("Receipt %(number)s") % {"number": sale.number})
    pdf.set_lang(lang)
    pdf.set_creator("Zargar")
    pdf.add_page()
    inner = WIDTH - 2 * MARGIN
    for style, label, amount in rows:
        if style == "rule":
            y = pdf.get_y() + LINE_H / 2
            pdf.line(MARGIN, y, WIDTH - MARGIN, y)
            pdf.ln(LINE_H)
            continue
        if style == "title":
            pdf.set_font(FONT, "B", 12)
            pdf.cell(inner, LINE_H + 2.5, _fit(pdf, label, inner), align="C", new_x="LMARGIN", new_y="NEXT")
            continue
        size = {"bold": 8, "text": 7.5, "small": 6.5}[style]
        pdf.set_font(FONT, "B" if style == "bold" else "", size)
        amount_w = pdf.get_string_width(amount) + 1 if amount else 0
        label_w = inner - amount_w
        label = _fit(pdf, label, label_w - 0.5)
        if not amount:
            pdf.cell(inner, LINE_H, label, align="R" if persian else "L", new_x="LMARGIN", new_y="NEXT")
        elif persian:
            # Right to left: the label from the right edge, the amount at the left edge.
            pdf.cell(amount_w, LINE_H, amount, align="L")
            pdf.cell(label_w, LINE_H, label, align="R", new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.cell(label_w, LINE_H, label, align="L")
            pdf.cell(amount_w, LINE_H, amount, align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
