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


def dependencies_of(key: str) -> list[str]:
    """Keys `key` needs, directly or through other modules, dependencies first.

    Raises `KeyError` for an unknown module.
    """
    found = manifests()
    if key not in found:
        raise KeyError(key)
    ordered: list[str] = []

    def visit(k: str) -> None:
        for dep in found[k].depends:
            if dep not in ordered and dep in found:
                visit(dep)
                ordered.append(dep)

    visit(key)
    return ordered


def dependents_of(key: str) -> list[str]:
    """Keys of the installed modules that need `key`, directly or not, in discovery order.

    Raises `KeyError` for an unknown module.
    """
    found = manifests()
    if key not in found:
        raise KeyError(key)
    return [k for k in found if k != key and key in dependencies_of(k)]


def module_settings(tenant, key: str) -> dict:
    """The per-shop configuration of module `key`: its `default_settings` updated with the
    shop's saved `ModuleActivation.configuration` (unknown saved keys are ignored).

    Needs the tenant's RLS context. Raises `KeyError` for an unknown module.
    """
    from zargar.tenancy.models import ModuleActivation

    manifest = manifests()[key]
    saved = (
        ModuleActivation.objects.filter(tenant=tenant, module_key=key).values_list("configuration", flat=True).first() or {}
    )
    return {name: saved.get(name, default) for name, default in manifest.default_settings.items()}
