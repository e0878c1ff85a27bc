"""Label sheets: a valid PDF with each label's text, and a Code128 barcode that decodes — read
back from the bars drawn in the PDF, checked against its mod-103 check symbol."""

from __future__ import annotations

import io
import re
from decimal import Decimal as D

import pytest
from barcode.charsets.code128 import CODES, STOP
from pypdf import PdfReader

from modules.inventory import labels
from modules.inventory.labels import BAR_H, MODULE_MM, code128_modules, label_pdf

from .conftest import lot_item, piece

PT_PER_MM = 72 / 25.4
RECT = re.compile(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re f")


def decode_code128(modules: str) -> str:
    """Decode a Code128 module string ("1101…"): symbols of 11 modules, start A/B/C, the
    charset switches, the check symbol (start value + Σ position × value, mod 103) and STOP."""
    assert modules.endswith(STOP + "11"), "no stop pattern"
    body = modules[: -len(STOP) - 2]
    assert len(body) % 11 == 0
    values = [CODES.index(body[i : i + 11]) for i in range(0, len(body), 11)]
    *data, check = values
    assert check == (data[0] + sum(i * v for i, v in enumerate(data[1:], start=1))) % 103, "bad check symbol"
    charset = {103: "A", 104: "B", 105: "C"}[data[0]]
    text = ""
    for value in data[1:]:
        if charset == "C" and value < 100:
            text += f"{value:02d}"
        elif value == 99:
            charset = "C"
        elif value == 100 and charset != "B":
            charset = "B"
        elif value == 101 and charset != "A":
            charset = "A"
        elif charset == "B":
            text += chr(value + 32)
        elif charset == "A":
            text += chr(value + 32) if value < 64 else chr(value - 64)
        else:
            raise AssertionError(f"unexpected symbol {value} in charset {charset}")
    return text


def bars_from_pdf(pdf: bytes) -> str:
    """The module string of the (only) barcode on the first page, rebuilt from its rectangles."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    data = page.get_contents().get_data()
    bar_h = BAR_H * PT_PER_MM
    rects = [tuple(float(v) for v in m.groups()) for m in RECT.finditer(data)]
    bars = sorted((x, w) for x, y, w, h in rects if abs(abs(h) - bar_h) < 0.05)
    assert bars, "no bars drawn"
    module = MODULE_MM * PT_PER_MM
    start = bars[0][0]
    cells: list[str] = []
    for x, w in bars:
        at, width = round((x - start) / module), round(w / module)
        cells.extend("0" * (at - len(cells)))
        cells.extend("1" * width)
    return "".join(cells)


@pytest.mark.parametrize("value", ["ZG000001", "R-1", "ZG123456789", "lowercase-9"])
def test_code128_patterns_decode_back_with_a_valid_check_symbol(value):
    assert decode_code128(code128_modules(value)) == value


def test_code128_check_symbol_computed_by_hand():
    # "R-1" in charset B: start B (104), R=50, -=13, 1=17; check (104 + 1·50 + 2·13 + 3·17) % 103 = 25.
    modules = code128_modules("R-1")
    symbols = [CODES.index(modules[i : i + 11]) for i in range(0, len(modules) - 13, 11)]
    assert symbols == [104, 50, 13, 17, 25]


@pytest.mark.django_db
def test_label_pdf_of_one_piece_has_its_text_and_a_decodable_barcode(in_shop):
    ring = piece(in_shop, "R-1", net_weight=D("4.500"), price=D("1250.00"))
    pdf = label_pdf([ring], currency="USD")
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in ("ZG000001", "SKU R-1", "18K", "4.500 g net", "1,250.00 USD"):
        assert expected in text, (expected, text)
    assert decode_code128(bars_from_pdf(pdf)) == ring.tag


@pytest.mark.django_db
def test_label_sheet_of_many_items_pages_at_21(in_shop):
    items = [piece(in_shop, f"R-{n}") for n in range(22)] + [lot_item(in_shop, "CHAIN-9", quantity=3)]
    pdf = label_pdf(items, currency="USD")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    first, second = reader.pages[0].extract_text(), reader.pages[1].extract_text()
    assert "ZG000001" in first and "ZG000021" in first and "ZG000022" not in first
    assert "ZG000022" in second and "CHAIN-9" in second  # a lot item's label carries its SKU
    assert labels.COLS * labels.ROWS == 21
