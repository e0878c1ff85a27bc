"""Writes of per-shop module configuration. Switching modules on and off is
`zargar.tenancy.actions.set_module_enabled`."""

from __future__ import annotations

from django.db import transaction

from .registry import get_manifest


@transaction.atomic
def save_module_settings(tenant, key: str, values: dict) -> dict:
    """Save the shop's configuration of module `key` (keys of `manifest.default_settings` only;
    others are dropped). Returns the saved configuration. Raises `KeyError` for an unknown
    module. Needs the tenant's RLS context (a panel request or `tenant_context`)."""
    from zargar.tenancy.models import ModuleActivation

    manifest = get_manifest(key)
    if manifest is None:
        raise KeyError(key)
    configuration = {name: values[name] for name in manifest.default_settings if name in values}
    activation, created = ModuleActivation.objects.get_or_create(
        tenant=tenant, module_key=key, defaults={"enabled": manifest.enabled_by_default, "configuration": configuration}
    )
    if not created:
        activation.configuration = configuration
        activation.save(update_fields=["configuration", "updated_at"])
    return configuration
