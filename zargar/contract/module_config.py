"""`ModuleConfig`: the AppConfig base class every module subclasses."""

from __future__ import annotations

from typing import Callable, ClassVar

from django.apps import AppConfig

from .extension_points import ExtensionPoint
from .manifest import ModuleManifest


class ModuleConfig(AppConfig):
    """A Zargar module. Subclasses set `name` (the Python package), `label` if needed, and
    `manifest`. `ready()` should only import signal handlers and register hooks."""

    manifest: ClassVar[ModuleManifest]
    default_auto_field = "django.db.models.BigAutoField"

    def register_hook(self, point: ExtensionPoint, fn: Callable) -> None:
        """Register `fn` at `point`; it is called only for tenants where this module is on."""
        from . import hooks

        hooks.register(point, fn, module_key=self.manifest.key)
