"""`subscription.updated`: published once per transaction that saved a shop's subscription, with
its final state, after that transaction commits (billing's actions stay untouched)."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models.signals import post_save

_MARK = "_zargar_subscription_event"


def _subscription_saved(sender, instance, **kwargs):
    key = (instance.tenant_id, instance.pk)
    # Already queued in this transaction? (A rolled-back transaction drops its callbacks too.)
    if any(getattr(entry[1], _MARK, None) == key for entry in connection.run_on_commit):
        return

    def fire():
        from zargar.tenancy.context import tenant_context

        from .bus import publish

        with tenant_context(key[0]) as tenant:
            sub = sender.objects.select_related("version__plan").filter(tenant_id=key[0], pk=key[1]).first()
            if sub is not None:
                publish(tenant, "subscription.updated", sub)

    setattr(fire, _MARK, key)
    transaction.on_commit(fire, robust=True)


def connect() -> None:
    from zargar.billing.models import Subscription

    post_save.connect(_subscription_saved, sender=Subscription, dispatch_uid="webhooks.subscription_saved")
