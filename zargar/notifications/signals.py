"""Core events that become notifications without touching the code that raises them."""

from __future__ import annotations

from django.db.models.signals import post_save
from django.urls import reverse

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
    from .services import notify

    url = ""
    if payload.get("id"):
        try:
            url = reverse("pos:sale-detail", args=[payload["id"]])
        except Exception:  # the POS module's URL names are its own; a link is optional
            url = ""
    notify(tenant, types.SALE_VOIDED, {
        "number": payload.get("number", ""), "total": f"{payload.get('total', '')} {payload.get('currency', '')}".strip(),
        "reason": payload.get("reason", "") or "—",
    }, url=url)


def connect() -> None:
    from zargar.accounts.models import Invitation
    from zargar.webhooks.bus import subscribe

    post_save.connect(_invitation_created, sender=Invitation, dispatch_uid="notifications.invitation_created")
    subscribe("sale.voided", _sale_voided)
