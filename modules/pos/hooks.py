"""Hooks of the point of sale into other pages (registered in `PosConfig.ready`)."""

from __future__ import annotations

from django.template.loader import render_to_string

from . import selectors


def customer_balance_panel(request, customer) -> list[str]:
    """`CUSTOMER_DETAIL_PANELS`: the customer's outstanding balance — the sum of the balances
    still owed on their completed sales, with those sales (links to receive payment) — for
    members who may see sales. Empty when they owe nothing."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.has_perm("pos.view_sales"):
        return []
    sales = selectors.open_balances(request.tenant, customer)
    if not sales:
        return []
    total = sum((s.balance_due for s in sales), 0)
    return [render_to_string("pos/_customer_balance.html", {"sales": sales, "total": total, "currency": request.tenant.currency}, request=request)]
