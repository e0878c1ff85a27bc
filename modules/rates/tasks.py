"""Celery tasks of the rates module.

* `rates.fetch_all_provider_rates` (beat, every 15 minutes): for each active shop with the
  module on and a provider chosen, queues `rates.fetch_provider_rates`.
* `rates.fetch_provider_rates(tenant_id)`: fetches the shop's provider and records the rates,
  all or none. A failure is logged as one ERROR line naming the shop and the reason; it does
  not raise (beat would only retry the same bad feed), and nothing is written.
  The HTTP call happens inside the task's tenant transaction (the `tenant_task` contract), so
  the feed timeout is capped at 60 s.
* `rates.reprice_after_rate_change(tenant_id, purity_code)`: queued after a new current rate
  commits; calls every `ExtensionPoint.REPRICE_ITEMS` hook of the shop's enabled modules.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.exceptions import ValidationError

from zargar.contract import ExtensionPoint, hooks
from zargar.contract.registry import enabled_module_keys
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Tenant
from zargar.tenancy.tasks import tenant_task

from .models import RateSource
from .providers import ProviderError, get_provider
from .selectors import MODULE_KEY, provider_settings

logger = logging.getLogger(__name__)


@shared_task(name="rates.fetch_all_provider_rates")
def fetch_all_provider_rates() -> int:
    """Queue a provider fetch for every active shop that has the module on and a provider
    chosen. Returns how many were queued."""
    queued = 0
    for tenant_id in Tenant.objects.filter(status=Tenant.Status.ACTIVE).order_by("pk").values_list("pk", flat=True):
        with tenant_context(tenant_id) as tenant:
            wanted = MODULE_KEY in enabled_module_keys(tenant) and bool(provider_settings(tenant).get("key"))
        if wanted:
            fetch_provider_rates.delay(tenant_id)
            queued += 1
    return queued


@tenant_task(name="rates.fetch_provider_rates")
def fetch_provider_rates(tenant) -> int:
    """Fetch the shop's configured provider and record its rates. Returns how many rates were
    recorded (0 when no provider is chosen or the fetch failed — the failure is logged)."""
    from .actions import record_rates

    config = provider_settings(tenant)
    key = config.get("key")
    if not key:
        return 0
    try:
        provider = get_provider(key, enabled_module_keys(tenant))
        fetched = provider.fetch(config)
        saved = record_rates(
            tenant,
            [dict(purity=r.purity, unit=r.unit, buy=r.buy, sell=r.sell, effective_at=r.effective_at) for r in fetched],
            source=RateSource.PROVIDER,
            provider_key=key,
        )
    except (ProviderError, ValidationError) as exc:
        reason = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        logger.error("rates: shop %s (%s): provider %r failed, nothing recorded: %s", tenant.pk, tenant.slug, key, reason)
        return 0
    logger.info("rates: shop %s (%s): recorded %d rates from provider %r", tenant.pk, tenant.slug, len(saved), key)
    return len(saved)


@tenant_task(name="rates.reprice_after_rate_change")
def reprice_after_rate_change(tenant, purity_code: str) -> int:
    """Call the `REPRICE_ITEMS` hooks (`fn(tenant, purity_code) -> int`) of the shop's enabled
    modules after the current rate of `purity_code` changed. Returns the total repriced."""
    total = 0
    for hook in hooks.get_hooks(ExtensionPoint.REPRICE_ITEMS, enabled_modules=enabled_module_keys(tenant)):
        total += int(hook(tenant, purity_code) or 0)
    if total:
        logger.info("rates: shop %s: repriced %d pieces of %s", tenant.pk, total, purity_code)
    return total
