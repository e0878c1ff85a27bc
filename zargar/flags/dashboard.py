"""The dashboard card behind the `beta_team_card` flag: the shop's team at a glance.

A real use of a flag: shops in the beta (by shop, percentage, role or user) see a "Team" card
on their dashboard with the number of members, linking to the members page.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from zargar.panel.cards import DashboardCard
from zargar.tenancy.models import Membership

from .services import is_active

BETA_TEAM_CARD = "beta_team_card"


def beta_cards(request) -> list[DashboardCard]:
    if request.tenant is None or not is_active(BETA_TEAM_CARD, request):
        return []
    members = Membership.objects.filter(tenant_id=request.tenant.pk).count()  # inside the request's shop (RLS)
    return [DashboardCard(title=_("Team members (beta)"), value=members, url="/app/members/")]
