"""The declared manifest of a Zargar module.

Everything a module adds to the core is named here, as data, so the core can check it at
start-up and show or hide it per tenant without importing the module's views.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from zargar.tenancy.roles import Role

_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


class ManifestError(ValueError):
    """A manifest that does not follow the contract; the message names the module and field."""


@dataclass(frozen=True)
class PermissionSpec:
    """A module permission, e.g. `inventory.change_item`.

    `min_role` is the least membership role that holds it (viewer < member < admin < owner).
    """

    codename: str
    label: Any
    min_role: Role = Role.MEMBER


@dataclass(frozen=True)
class MenuEntry:
    """A tenant-panel menu entry. `url_name` is reversed inside the module's URL namespace
    (`"item-list"` → `"inventory:item-list"`); `icon` names an icon of `templates/panel/icons/`.
    The entry is shown only when the module is enabled for the tenant and the member holds
    `permission` (if given)."""

    label: Any
    url_name: str
    icon: str = "cube"
    permission: str | None = None
    order: int = 100


@dataclass(frozen=True)
class ApiRoute:
    """A DRF route under `/api/v1/`: `prefix` (e.g. `"inventory/items"`), a dotted path to a
    viewset that subclasses `zargar.api.viewsets.TenantModelViewSet`, and a route basename."""

    prefix: str
    viewset: str
    basename: str


@dataclass(frozen=True)
class BeatEntry:
    """A Celery beat entry: `task` is the registered task name, `schedule` seconds or a
    `celery.schedules.crontab`. Tenant-aware tasks fan out over tenants themselves."""

    name: str
    task: str
    schedule: Any
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ModuleManifest:
    """What a module declares.

    - `key`: stable identifier, `[a-z][a-z0-9_]{1,39}`; also the URL namespace and the first
      part of its permission codenames.
    - `name`: translatable display name; `version`: the module's own version;
      `description`: one translatable sentence shown on the shop's module settings page.
    - `core_requires`: PEP 440 specifier of the Zargar core versions supported (`">=0.1,<1"`).
    - `depends`: keys of modules that must be installed (and are enabled first).
    - `menu`, `permissions`, `api_routes`, `beat`: see the classes above.
    - `urls`: dotted path of the tenant-panel URLconf, mounted at `/app/<key>/`.
    - `tasks`: dotted module path of its Celery tasks (imported by the worker).
    - `default_settings`: defaults of the per-tenant configuration (`ModuleActivation.configuration`).
    - `help_pages`: slugs of knowledge-base pages this module links to with a "?".
    - `enabled_by_default`: whether a tenant without an activation row has it on.
    """

    key: str
    name: Any
    version: str
    core_requires: str
    description: Any = ""
    depends: tuple[str, ...] = ()
    menu: tuple[MenuEntry, ...] = ()
    permissions: tuple[PermissionSpec, ...] = ()
    urls: str | None = None
    api_routes: tuple[ApiRoute, ...] = ()
    tasks: str | None = None
    beat: tuple[BeatEntry, ...] = ()
    default_settings: dict = field(default_factory=dict)
    help_pages: tuple[str, ...] = ()
    enabled_by_default: bool = True

    def __post_init__(self) -> None:
        if not _KEY_RE.match(self.key):
            raise ManifestError(f"module key {self.key!r} must match {_KEY_RE.pattern}")
        try:
            SpecifierSet(self.core_requires)
        except InvalidSpecifier as exc:
            raise ManifestError(f"module {self.key!r}: core_requires {self.core_requires!r} is not a PEP 440 specifier") from exc
        for dep in self.depends:
            if not isinstance(dep, str) or not _KEY_RE.match(dep):
                raise ManifestError(f"module {self.key!r}: dependency {dep!r} is not a module key")
        for perm in self.permissions:
            if not perm.codename.startswith(f"{self.key}."):
                raise ManifestError(f"module {self.key!r}: permission {perm.codename!r} must start with '{self.key}.'")
        known = {perm.codename for perm in self.permissions}
        for entry in self.menu:
            if entry.permission and entry.permission not in known:
                raise ManifestError(f"module {self.key!r}: menu entry {entry.url_name!r} needs undeclared permission {entry.permission!r}")

    def permission(self, codename: str) -> PermissionSpec:
        for perm in self.permissions:
            if perm.codename == codename:
                return perm
        raise KeyError(codename)
