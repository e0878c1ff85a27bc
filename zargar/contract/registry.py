"""The loaded modules at run time, and which of them each tenant has switched on.

A shop's `ModuleActivation` rows (switches and saved settings) are read with one query and kept
on the `Tenant` instance it was read for (`_activation_rows`), so a request that checks a
module's switch and then reads module settings (the API's module gate, then e.g. the POS's
discount caps and the rates' settings) pays one query, not one per call. The copy is dropped
when any `ModuleActivation` is saved or deleted in this process (a generation counter) and
after `MEMO_SECONDS` (2 s) in any case, so a module switched off elsewhere is off for the next
request (each request loads its own `Tenant`) and for a long-lived instance within 2 s. It is
kept only when read inside that shop's own tenant context (what RLS shows elsewhere is not the
shop's configuration).
"""

from __future__ import annotations

import copy
import itertools
import os
import time
from functools import lru_cache

from django.apps import apps
from django.db.models.signals import post_delete, post_save

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


MEMO_SECONDS = 2.0
_MEMO_ATTR = "_zargar_module_rows"
_generation = itertools.count(1)
_current_generation = 0


def _activation_changed(**kwargs) -> None:
    global _current_generation
    _current_generation = next(_generation)


post_save.connect(_activation_changed, sender="tenancy.ModuleActivation", dispatch_uid="contract.registry.activation_saved")
post_delete.connect(_activation_changed, sender="tenancy.ModuleActivation", dispatch_uid="contract.registry.activation_deleted")


def _activation_rows(tenant) -> dict[str, tuple[bool, dict]]:
    """`{module_key: (enabled, configuration)}` of the shop's `ModuleActivation` rows (one query,
    or none while the copy on `tenant` is fresh; see the module doc). Needs the tenant's RLS
    context."""
    from zargar.tenancy.context import current_tenant
    from zargar.tenancy.models import ModuleActivation

    now = time.monotonic()
    memo = tenant.__dict__.get(_MEMO_ATTR)
    # The process id guards against a copy unpickled elsewhere (another clock, other generations).
    if memo is not None and memo[0] == (os.getpid(), _current_generation) and memo[1] > now:
        return memo[2]
    generation = (os.getpid(), _current_generation)
    # Plain SQL: every API request reads the switches, and the ORM spent 0.25 ms of CPU building
    # this query; the JSON column is decoded by its own field, as the ORM would.
    from django.db import connection

    config_field = ModuleActivation._meta.get_field("configuration")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT module_key, enabled, configuration FROM {ModuleActivation._meta.db_table} WHERE tenant_id = %s", [tenant.pk])
        rows = {
            key: (enabled, config_field.from_db_value(configuration, None, connection) or {})
            for key, enabled, configuration in cursor.fetchall()
        }
    active = current_tenant()
    if active is not None and active.pk == tenant.pk:
        tenant.__dict__[_MEMO_ATTR] = (generation, now + MEMO_SECONDS, rows)
    return rows


def enabled_module_keys(tenant) -> frozenset[str]:
    """Keys of the modules switched on for `tenant` (one query, shared with `module_settings`
    within a request; needs the tenant's RLS context).

    A module with no `ModuleActivation` row follows `manifest.enabled_by_default`; a module whose
    dependency is off is off too.
    """
    if tenant is None:
        return frozenset()
    rows = _activation_rows(tenant)
    enabled: set[str] = set()
    for cfg in modules():  # dependency order: a dependency is decided before its dependents
        m = cfg.manifest
        on = rows[m.key][0] if m.key in rows else m.enabled_by_default
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

    Needs the tenant's RLS context. Raises `KeyError` for an unknown module. One query, shared
    with `enabled_module_keys` within a request (see the module doc).
    """
    manifest = manifests()[key]
    row = _activation_rows(tenant).get(key)
    saved = (row[1] if row else None) or {}
    # A deep copy: callers may change what they get without touching the shared copy.
    return copy.deepcopy({name: saved.get(name, default) for name, default in manifest.default_settings.items()})
