"""Invoice PDF (fpdf2, core fonts: Latin text only)."""

from __future__ import annotations

from fpdf import FPDF

from .proration import format_minor


def _latin(text: str) -> str:
    return str(text).replace("–", "-").replace("—", "-").encode("latin-1", "replace").decode("latin-1")


def invoice_pdf(invoice, tenant) -> bytes:
    """The invoice as PDF bytes: number, shop, period, lines and total."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, _latin(f"Invoice {invoice.number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 7, _latin(f"Zargar - billed to {tenant.name} ({tenant.slug})"), new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 7, _latin(f"Issued {invoice.issued_at:%Y-%m-%d}   Period {invoice.period_start} - {invoice.period_end}   Status {invoice.status}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(140, 8, "Description", border="B")
    pdf.cell(0, 8, "Amount", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for line in invoice.lines.all():
        pdf.cell(140, 7, _latin(line.description)[:90])
        pdf.cell(0, 7, _latin(format_minor(line.amount_minor, invoice.currency)), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(140, 9, "Total", border="T")
    pdf.cell(0, 9, _latin(format_minor(invoice.total_minor, invoice.currency)), border="T", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
