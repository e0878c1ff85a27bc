"""Dashboard cards of the inventory module (ExtensionPoint.DASHBOARD_CARDS)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from zargar.panel.cards import DashboardCard

from .selectors import stock_summary


def inventory_cards(request) -> list[DashboardCard]:
    summary = stock_summary(request.tenant)
    return [
        DashboardCard(title=_("Items in stock"), value=summary["items"], url=reverse("inventory:item-list")),
        DashboardCard(title=_("Net gold weight (g)"), value=summary["net_weight"], url=reverse("inventory:item-list")),
    ]
