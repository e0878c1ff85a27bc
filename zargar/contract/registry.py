"""The loaded modules at run time, and which of them each tenant has switched on."""

from __future__ import annotations

from functools import lru_cache

from django.apps import apps

from .manifest import ModuleManifest
from .module_config import ModuleConfig


@lru_cache(maxsize=1)
def modules() -> tuple[ModuleConfig, ...]:
    """Installed module AppConfigs, in discovery (dependency) order."""
    return tuple(cfg for cfg in apps.get_app_configs() if isinstance(cfg, ModuleConfig))


def manifests() -> dict[str, ModuleManifest]:
    return {cfg.manifest.key: cfg.manifest for cfg in modules()}


def get_manifest(key: str) -> ModuleManifest | None:
    return manifests().get(key)


def enabled_module_keys(tenant) -> frozenset[str]:
    """Keys of the modules switched on for `tenant` (one query; needs the tenant's RLS context).

    A module with no `ModuleActivation` row follows `manifest.enabled_by_default`; a module whose
    dependency is off is off too.
    """
    from zargar.tenancy.models import ModuleActivation

    if tenant is None:
        return frozenset()
    rows = dict(ModuleActivation.objects.filter(tenant=tenant).values_list("module_key", "enabled"))
    enabled: set[str] = set()
    for cfg in modules():  # dependency order: a dependency is decided before its dependents
        m = cfg.manifest
        on = rows.get(m.key, m.enabled_by_default)
        if on and all(dep in enabled for dep in m.depends):
            enabled.add(m.key)
    return frozenset(enabled)
