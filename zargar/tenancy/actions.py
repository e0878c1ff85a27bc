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


class ModuleDependencyError(ValueError):
    """Switching a module would leave a dependency unmet. `modules` lists the keys in the way:
    the dependents that are on (switching off) or the dependencies that are off (switching on)."""

    def __init__(self, message: str, modules: list[str]):
        super().__init__(message)
        self.modules = modules


def set_module_enabled(tenant: Tenant, module_key: str, enabled: bool, *, cascade: bool = False) -> list[str]:
    """Switch module `module_key` on or off for `tenant`; returns the keys switched, in order.

    Switching off a module that other enabled modules depend on (directly or not) raises
    `ModuleDependencyError` naming them, unless `cascade`, which switches them off too.
    Switching on a module whose dependencies are off raises it as well, unless `cascade`,
    which switches those dependencies on first. Raises `KeyError` for an unknown module.
    Atomic: either every switch is saved or none.
    """
    from zargar.contract.registry import dependencies_of, dependents_of, enabled_module_keys, get_manifest

    from .models import ModuleActivation

    manifest = get_manifest(module_key)
    if manifest is None:
        raise KeyError(module_key)
    with tenant_context(tenant):
        current = enabled_module_keys(tenant)
        if enabled:
            others = [key for key in dependencies_of(module_key) if key not in current]
            message = "%(module)s needs %(others)s, which is switched off."
        else:
            others = [key for key in dependents_of(module_key) if key in current]
            message = "%(others)s depends on %(module)s and is switched on."
        if others and not cascade:
            raise ModuleDependencyError(message % {"module": module_key, "others": ", ".join(others)}, others)
        keys = [*others, module_key] if enabled else [module_key, *others]
        for key in keys:
            ModuleActivation.objects.update_or_create(tenant=tenant, module_key=key, defaults={"enabled": enabled})
    return keys
