"""Core events that become notifications without touching the code that raises them."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.urls import NoReverseMatch, reverse

from . import types


def _invitation_created(sender, instance, created, **kwargs):
    if not created:
        return
    from .services import notify

    notify(
        instance.tenant, types.MEMBER_INVITED,
        {"email": instance.email, "shop": instance.tenant.name, "role_code": instance.role},
        url="/app/members/",
    )


def _sale_voided(tenant, event_type, payload):
    """`sale.voided` carries the void (return) document with its `sale`."""
    from .services import notify

    sale = payload.get("sale") or {}
    url = ""
    if sale.get("id"):
        try:
            url = reverse("pos:sale-detail", args=[sale["id"]])
        except NoReverseMatch:  # the POS module is not installed: the link is optional
            url = ""
    notify(tenant, types.SALE_VOIDED, {
        "number": sale.get("number", ""),
        "total": f"{sale.get('total', '')} {sale.get('currency', '')}".strip(),
        "reason": payload.get("reason", "") or "—",
    }, url=url)


def connect() -> None:
    from zargar.accounts.models import Invitation
    from zargar.webhooks.bus import subscribe

    post_save.connect(_invitation_created, sender=Invitation, dispatch_uid="notifications.invitation_created")
    subscribe("sale.voided", _sale_voided)
