"""Celery tasks of the appraisals module (`manifest.tasks`; the beat entry is in the manifest)."""

from __future__ import annotations

from celery import shared_task

from zargar.contract.registry import enabled_module_keys
from zargar.tenancy.models import Tenant
from zargar.tenancy.tasks import tenant_task

from . import actions


@tenant_task(name="appraisals.expire_certificates")
def expire_certificates(tenant) -> int:
    """Runs inside the shop's RLS context (`tenant_task`): mark its certificates past
    `valid_until` as expired. Returns how many changed; 0 when the module is off for the shop."""
    if "appraisals" not in enabled_module_keys(tenant):
        return 0
    return actions.expire_certificates(tenant)


@shared_task(name="appraisals.expire_certificates_all_shops")
def expire_certificates_all_shops() -> int:
    """Daily beat entry: queue `expire_certificates` for every active shop (one task per shop,
    each in its own tenant context). Returns the number of shops queued."""
    shop_ids = list(Tenant.objects.filter(status=Tenant.Status.ACTIVE).values_list("pk", flat=True))
    for shop_id in shop_ids:
        expire_certificates.delay(shop_id)
    return len(shop_ids)
