"""System checks of installed modules against the contract."""

from __future__ import annotations

from django.core.checks import Error, Tags, register
from django.urls import NoReverseMatch, reverse

from .registry import modules


@register(Tags.urls)
def check_module_menus_resolve(app_configs=None, **kwargs):
    """Every menu entry's URL name must exist in its module's namespace."""
    errors = []
    for cfg in modules():
        m = cfg.manifest
        for entry in m.menu:
            try:
                reverse(f"{m.key}:{entry.url_name}")
            except NoReverseMatch:
                errors.append(
                    Error(f"Module {m.key!r}: menu entry URL name {entry.url_name!r} does not resolve in namespace {m.key!r}.", id="zargar.E010")
                )
    return errors
