"""The module contract: what a Zargar module (first-party or plugin) is built against.

A module is a Django `AppConfig` subclass of `ModuleConfig` with a `manifest`
(`ModuleManifest`), published in the `zargar.modules` entry-point group as `package.apps:Class`.
See `docs/plugins.md`.
"""

from .extension_points import ExtensionPoint
from .manifest import ApiRoute, BeatEntry, MenuEntry, ModuleManifest, PermissionSpec
from .module_config import ModuleConfig

__all__ = [
    "ApiRoute",
    "BeatEntry",
    "ExtensionPoint",
    "MenuEntry",
    "ModuleConfig",
    "ModuleManifest",
    "PermissionSpec",
]
