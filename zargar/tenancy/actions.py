"""Writes of tenancy data. Each action is atomic and takes the acting user explicitly."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from zargar.contract import ExtensionPoint
from zargar.contract.hooks import get_hooks

from .context import tenant_context
from .models import Membership, Role, Tenant


def unique_slug(name: str) -> str:
    base = slugify(name, allow_unicode=False)[:50] or "shop"
    slug, n = base, 2
    while Tenant.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_tenant(*, name: str, owner, slug: str | None = None, currency: str = "USD", default_locale: str = "en", time_zone: str = "UTC") -> Tenant:
    """Create a shop with `owner` as its owner, and call the `TENANT_CREATED` hooks.

    Runs in one transaction: if any part fails, no shop and no membership remain.
    """
    tenant = Tenant.objects.create(
        name=name.strip(), slug=slug or unique_slug(name), currency=currency, default_locale=default_locale, time_zone=time_zone
    )
    with tenant_context(tenant, user=owner):
        Membership.objects.create(tenant=tenant, user=owner, role=Role.OWNER)
        for hook in get_hooks(ExtensionPoint.TENANT_CREATED):
            hook(tenant)
    return tenant


def add_member(tenant: Tenant, user, role: Role | str) -> Membership:
    """Add `user` to `tenant` with `role` (or change the role of an existing membership)."""
    with tenant_context(tenant, user=user):
        membership, _ = Membership.objects.update_or_create(tenant=tenant, user=user, defaults={"role": Role(role)})
        return membership


def set_module_enabled(tenant: Tenant, module_key: str, enabled: bool) -> None:
    """Switch one module on or off for `tenant`. Raises `KeyError` for an unknown module."""
    from zargar.contract.registry import get_manifest

    from .models import ModuleActivation

    if get_manifest(module_key) is None:
        raise KeyError(module_key)
    with tenant_context(tenant):
        ModuleActivation.objects.update_or_create(tenant=tenant, module_key=module_key, defaults={"enabled": enabled})
