"""Dashboard card of the appraisals module (ExtensionPoint.DASHBOARD_CARDS)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from zargar.panel.cards import DashboardCard

from .selectors import summary


def appraisal_cards(request) -> list[DashboardCard]:
    membership = getattr(request, "membership", None)
    if membership is None or not membership.has_perm("appraisals.view_appraisal"):
        return []
    data = summary(request.tenant)
    return [DashboardCard(title=_("Valid appraisal certificates"), value=data["valid"], url=reverse("appraisals:certificate-list"))]
