"""Dashboard cards of the rates module (ExtensionPoint.DASHBOARD_CARDS)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from zargar.panel.cards import DashboardCard
from zargar.panel.templatetags.zargar_format import format_number

from . import selectors
from .units import UNIT_NAMES, Purity


def rate_cards(request) -> list[DashboardCard]:
    """The current 18K and 24K sell rates in the shop's display unit."""
    if request.membership is None or not request.membership.has_perm("rates.view_rate"):
        return []
    unit = selectors.display_unit(request.tenant)
    current = selectors.current_rates(request.tenant)
    cards = []
    for code in (Purity.GOLD_750, Purity.GOLD_999):
        rate = current.get(code)
        value = f"{format_number(selectors.display(rate, 'sell', unit))}\u00a0{rate.currency}" if rate else "—"
        cards.append(DashboardCard(title=_("%(purity)s, sell per %(unit)s") % {"purity": Purity(code).label, "unit": UNIT_NAMES[unit]}, value=value, url=reverse("rates:board")))
    return cards
