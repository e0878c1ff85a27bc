"""Whether a shop's subscription still opens its panel and API.

A shop loses access when its subscription (its operator override first, see
`Subscription.effective_status`) is:

* `expired`;
* `canceled` and either past its period end or canceled by failed payments (dunning);
* `past_due` for longer than `BILLING_PAST_DUE_GRACE_DAYS` (default 14) after the unpaid
  period started.

Trialing, active and past_due within the grace period keep access; so does a shop with no
subscription at all (shops the operator runs without billing). The panel then shows
`billing/ended.html` (HTTP 402; the billing pages stay open so an owner can subscribe again),
the API answers 402 with `{"error": {"code": "subscription_ended", ...}}`.

The answer is cached per shop (`subscription_ended`) for at most `CACHE_SECONDS` and for the
current UTC day, and dropped whenever the shop's subscription or status override is saved, so a
request normally costs one cache read and no query.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import APIException

from zargar.tenancy.context import tenant_context

from .models import Subscription, SubscriptionStatus, SubscriptionStatusOverride

S = SubscriptionStatus
CACHE_SECONDS = 600
#: Panel paths that stay open to a shop whose subscription ended.
OPEN_PREFIXES = ("/app/billing/", "/app/notifications/")  # billing, and the notices about it


def _key(tenant_id) -> str:
    return f"billing:access:{tenant_id}"


def grace_days() -> int:
    return int(getattr(settings, "BILLING_PAST_DUE_GRACE_DAYS", 14))


def has_ended(sub: Subscription | None, *, status: str | None = None, today: dt.date | None = None) -> bool:
    """The rule above for one subscription; `status` is its effective status (default: its own)."""
    if sub is None:
        return False
    today = today or timezone.now().date()
    status = status or sub.status
    if status == S.EXPIRED:
        return True
    if status == S.CANCELED:
        return today >= sub.current_period_end or sub.failed_attempts > 0
    if status == S.PAST_DUE:
        return today > sub.current_period_start + dt.timedelta(days=grace_days())
    return False


def subscription_ended(tenant, *, today: dt.date | None = None) -> bool:
    """True when `tenant`'s subscription no longer gives access (cached, see the module doc)."""
    today = today or timezone.now().date()
    cached = cache.get(_key(tenant.pk))
    if cached is not None and cached[0] == today.isoformat():
        return cached[1]
    with tenant_context(tenant):
        sub = Subscription.objects.filter(tenant_id=tenant.pk).first()
        override = sub.status_overrides.filter(lifted_at=None).order_by("-created_at").values_list("status", flat=True).first() if sub else None
    ended = has_ended(sub, status=override, today=today)
    cache.set(_key(tenant.pk), (today.isoformat(), ended), CACHE_SECONDS)
    return ended


def forget(tenant_id) -> None:
    """Drop the cached answer of a shop now and again when the transaction commits (so a
    request that read the old rows meanwhile cannot keep a stale answer)."""
    cache.delete(_key(tenant_id))
    transaction.on_commit(lambda: cache.delete(_key(tenant_id)))


@receiver(post_save, sender=Subscription)
@receiver(post_delete, sender=Subscription)
@receiver(post_save, sender=SubscriptionStatusOverride)
@receiver(post_delete, sender=SubscriptionStatusOverride)
def _subscription_changed(sender, instance, **kwargs) -> None:
    forget(instance.tenant_id)


def ended_response(request):
    """The panel's "subscription ended" page for the request's shop, or None when it has access
    (or the path is one that stays open). Called by `TenancyMiddleware`."""
    tenant = request.tenant
    if tenant is None or request.path.startswith(OPEN_PREFIXES) or not subscription_ended(tenant):
        return None
    membership = request.membership
    can_manage = membership is not None and membership.has_perm("billing.manage")
    # Rendered before `UserPreferencesMiddleware` runs: use the user's remembered language here.
    language = getattr(request.user, "language", "") or translation.get_language()
    with translation.override(language):
        request.LANGUAGE_CODE = language
        return render(request, "billing/ended.html", {"tenant": tenant, "can_manage_billing": can_manage}, status=402)


class SubscriptionEnded(APIException):
    """The API's answer for a shop whose subscription ended: 402 with a JSON error body."""

    status_code = 402
    default_code = "subscription_ended"
    default_detail = _("This shop's subscription has ended. The owner can subscribe again on the billing page.")
