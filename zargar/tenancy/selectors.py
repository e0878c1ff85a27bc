"""Reads of tenancy data."""

from __future__ import annotations

from .models import Membership


def memberships_of(user) -> list[Membership]:
    """The user's memberships in every shop, with the shop, ordered by shop name.

    Needs `app.user_id` set to the user (the membership read policy); otherwise only the
    current shop's rows are visible.
    """
    return list(Membership.objects.filter(user=user).select_related("tenant").order_by("tenant__name", "tenant_id"))


def membership_in(user, tenant) -> Membership | None:
    return Membership.objects.filter(user=user, tenant=tenant).select_related("tenant").first()
