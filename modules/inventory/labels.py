"""Printable price labels: a PDF sheet of labels with a Code128 barcode and a QR code.

Each label shows the piece's tag (or a lot item's SKU), SKU, karat, net weight (g) and price,
a Code128 barcode of the tag and a QR code of it. Labels are 63.5 × 38.1 mm, 3 × 7 on an A4
sheet (the common "21 per sheet" label stock).

Libraries: `python-barcode` encodes Code128 (charset switching and the mod-103 check symbol);
its module string ("1101…") is drawn as vector bars so a printer renders them sharp. `qrcode`
makes the QR matrix (drawn as vector squares too). `fpdf2` writes the PDF. Text uses the PDF
core font (Latin-1): characters outside it print as "?" (tags and SKUs are usually ASCII).
"""

from __future__ import annotations

from decimal import Decimal

import qrcode
from barcode.codex import Code128
from fpdf import FPDF

LABEL_W, LABEL_H = 63.5, 38.1  # mm
COLS, ROWS = 3, 7
MARGIN_X, MARGIN_Y = 7.2, 15.15
GAP_X = 2.5
MODULE_MM = 0.25  # one Code128 module (narrowest bar)
BAR_H = 9.0


def code128_modules(value: str) -> str:
    """The Code128 bar pattern of `value` as modules: "1" a dark module, "0" a light one (start
    symbol, data, mod-103 check symbol, stop pattern). Raises `ValueError` for characters that
    Code128 cannot carry."""
    try:
        return Code128(value).build()[0]
    except Exception as exc:  # python-barcode raises IllegalCharacterError / RuntimeError
        raise ValueError(f"{value!r} cannot be encoded as Code128") from exc


def qr_matrix(value: str) -> list[list[bool]]:
    """The QR code of `value` as rows of dark (True) / light modules, with no quiet zone."""
    qr = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(value)
    qr.make(fit=True)
    return qr.get_matrix()


def _latin1(text: str) -> str:
    return str(text).encode("latin-1", "replace").decode("latin-1")


def _draw_bars(pdf: FPDF, modules: str, x: float, y: float, width: float) -> None:
    module = min(MODULE_MM, width / len(modules))
    run_start = None
    for i, bit in enumerate(modules + "0"):
        if bit == "1" and run_start is None:
            run_start = i
        elif bit != "1" and run_start is not None:
            pdf.rect(x + run_start * module, y, (i - run_start) * module, BAR_H, style="F")
            run_start = None


def _draw_qr(pdf: FPDF, matrix: list[list[bool]], x: float, y: float, size: float) -> None:
    cell = size / len(matrix)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(x + c * cell, y + r * cell, cell, cell, style="F")


def label_pdf(items, *, currency: str) -> bytes:
    """A PDF (bytes) with one label per item in `items` (sheets of 21). Items need `tag` or
    `sku`, `sku`, `karat`, `net_weight` (g), `price` (in `currency`)."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title("Zargar labels")
    pdf.set_creator("Zargar")
    pdf.set_fill_color(0, 0, 0)
    items = list(items)
    if not items:
        pdf.add_page()
    for n, item in enumerate(items):
        slot = n % (COLS * ROWS)
        if slot == 0:
            pdf.add_page()
        col, row = slot % COLS, slot // COLS
        x = MARGIN_X + col * (LABEL_W + GAP_X)
        y = MARGIN_Y + row * LABEL_H
        code = item.tag or item.sku
        qr_size = 16.0
        # Text block.
        pdf.set_font("Helvetica", "B", 10)
        pdf.text(x + 3, y + 6, _latin1(code))
        pdf.set_font("Helvetica", "", 7)
        pdf.text(x + 3, y + 10, _latin1(f"SKU {item.sku}"))
        pdf.text(x + 3, y + 13.5, _latin1(f"{item.karat}K  {item.net_weight} g net"))
        pdf.set_font("Helvetica", "B", 9)
        price = Decimal(item.price)
        pdf.text(x + 3, y + 18, _latin1(f"{price:,.2f} {currency}"))
        # QR code at the top right, barcode along the bottom.
        _draw_qr(pdf, qr_matrix(code), x + LABEL_W - qr_size - 3, y + 2.5, qr_size)
        try:
            _draw_bars(pdf, code128_modules(code), x + 3, y + LABEL_H - BAR_H - 4, LABEL_W - 6)
        except ValueError:  # not Code128-encodable: the QR code still carries it
            pass
        pdf.set_font("Helvetica", "", 6)
        pdf.text(x + 3, y + LABEL_H - 1.5, _latin1(code))
    return bytes(pdf.output())
