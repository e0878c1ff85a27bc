"""Reads of point-of-sale data, always within one shop (explicit tenant filter; RLS underneath)."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from zargar.core.orm import set_prefetched

from .models import DONE_STATUSES, OPEN_STATUSES, BalancePayment, Payment, Sale, SaleLine, SaleReturn, SaleStatus


def sales_of(tenant, *, search: str = "", status: str | None = None, done: bool | None = True) -> QuerySet[Sale]:
    """The shop's sales, newest first. `done` True: completed (and later returned/voided)
    sales; False: drafts and held carts; None: all. `search` matches the number, the
    customer's name or phone, or a SKU sold."""
    qs = Sale.objects.filter(tenant=tenant).select_related("customer", "cashier")
    if done is True:
        qs = qs.filter(status__in=DONE_STATUSES).order_by("-completed_at", "-id")
    elif done is False:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(
            Q(number__icontains=search) | Q(customer__full_name__icontains=search) | Q(customer__phone__icontains=search) | Q(lines__sku__iexact=search)
        ).distinct()
    return qs


def as_written(sale: Sale) -> Sale:
    """`sale` with its lines, payments, old-gold lines, returns and balance payments loaded
    from what `actions.complete_sale` has just written (its `parts_written`), as if by
    `prefetch_related` — the API answers a new sale without reading it back. A sale without
    `parts_written` (a replay) is returned unchanged."""
    parts = getattr(sale, "parts_written", None)
    if parts is None:
        return sale
    for name, rows in parts.items():
        set_prefetched(sale, name, rows)
    return sale


def held_sales(tenant) -> QuerySet[Sale]:
    """Parked carts, oldest first (the "resume" list of the sale screen)."""
    return Sale.objects.filter(tenant=tenant, status=SaleStatus.HELD).select_related("customer", "cashier").order_by("updated_at")


def get_sale(tenant, pk: int) -> Sale:
    """The shop's sale `pk` with its lines, old gold, payments and returns. Raises
    `Sale.DoesNotExist` for another shop's or a missing sale."""
    return (
        Sale.objects.select_related("customer", "cashier")
        .prefetch_related(
            Prefetch("lines", queryset=SaleLine.objects.select_related("item", "lot", "quote")),
            "old_gold_lines",
            Prefetch("payments", queryset=Payment.objects.filter(sale_return__isnull=True, balance_payment__isnull=True), to_attr="sale_payments"),
            Prefetch("balance_payments", queryset=BalancePayment.objects.select_related("actor").prefetch_related("payments")),
            Prefetch("returns", queryset=SaleReturn.objects.prefetch_related("lines__sale_line", "refunds").select_related("actor")),
        )
        .get(tenant=tenant, pk=pk)
    )


def payment_history(sale: Sale) -> list[dict]:
    """What was paid and owed on a completed sale over time, oldest first: the sale itself
    (`kind` "sale": `paid` = its payments and old gold) then each later `BalancePayment`
    (`kind` "payment"). Each row: `kind`, `at` (datetime), `number`, `paid` (shop currency),
    `owed` (balance owed after it), `payments` (the `Payment` rows), `by` (user or None).
    Uses the prefetches of `get_sale`; empty for an open sale."""
    if not sale.is_done:
        return []
    later = list(sale.balance_payments.all())
    at_sale = list(getattr(sale, "sale_payments", None) or sale.payments.filter(sale_return__isnull=True, balance_payment__isnull=True))
    paid_at_sale = sum((p.amount for p in at_sale if p.method != "old_gold"), 0)
    rows = [{
        "kind": "sale", "at": sale.completed_at, "number": sale.number, "paid": sum((p.amount for p in at_sale), 0),
        "owed": sale.total - sale.old_gold_credit - paid_at_sale, "payments": at_sale, "by": sale.cashier,
    }]
    for received in later:
        rows.append({
            "kind": "payment", "at": received.created_at, "number": received.number, "paid": received.amount,
            "owed": received.balance_after, "payments": list(received.payments.all()), "by": received.actor, "note": received.note,
        })
    return rows


def open_balances(tenant, customer) -> list[Sale]:
    """The customer's completed sales that still have a balance owed, oldest first."""
    return list(
        Sale.objects.filter(tenant=tenant, customer=customer, status__in=DONE_STATUSES, balance_due__gt=0).order_by("completed_at", "id")
    )


def get_return(tenant, pk: int) -> SaleReturn:
    return SaleReturn.objects.select_related("sale").prefetch_related("lines__sale_line", "refunds").get(tenant=tenant, pk=pk)


def journal_entry_of(tenant, document):
    """The journal entry posted for a sale or a return, or None."""
    from django.contrib.contenttypes.models import ContentType

    from modules.accounting.models import SourceDocumentLink

    link = (
        SourceDocumentLink.objects.filter(tenant=tenant, content_type=ContentType.objects.get_for_model(document), object_id=str(document.pk))
        .select_related("journal_entry")
        .first()
    )
    return link.journal_entry if link else None


def cart_totals(sale: Sale) -> dict:
    """Totals of an open sale from its lines as priced now: `subtotal`, `discount`, `tax`,
    `total`, `net_weight` (g), `count` (units)."""
    lines = list(sale.lines.all())
    subtotal = sum((ln.metal + ln.making + ln.other for ln in lines), 0)
    discount = sum((ln.discount for ln in lines), 0)
    tax = sum((ln.tax for ln in lines), 0)
    return {
        "subtotal": subtotal,
        "discount": discount,
        "tax": tax,
        "total": subtotal - discount + tax,
        "net_weight": sum((ln.net_weight for ln in lines), 0),
        "count": sum((ln.quantity for ln in lines), 0),
    }
