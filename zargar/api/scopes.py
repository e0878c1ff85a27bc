"""API-key scopes, derived from the module registry.

Every installed module (built-in or plugin) that declares `api_routes` gets two scopes:
`"<key>:read"` (GET/HEAD/OPTIONS on its routes) and `"<key>:write"` (every other method; it
implies `"<key>:read"`). `"*"` is full access, including modules installed later. A key
without the scope a request needs answers 403 `missing_scope` (see `permissions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

FULL_ACCESS = "*"
READ, WRITE = "read", "write"


@dataclass(frozen=True)
class Scope:
    code: str  # "inventory:read"
    module: str  # "inventory"
    module_name: Any  # the module's translatable name
    access: str  # "read" | "write"

    @property
    def label(self):
        return _("Read") if self.access == READ else _("Read and write")


def available_scopes() -> list[Scope]:
    """Every scope of the installed modules with API routes, by module key then read/write."""
    from zargar.contract.registry import modules

    scopes = []
    for cfg in sorted(modules(), key=lambda c: c.manifest.key):
        manifest = cfg.manifest
        if manifest.api_routes:
            scopes.append(Scope(f"{manifest.key}:{READ}", manifest.key, manifest.name, READ))
            scopes.append(Scope(f"{manifest.key}:{WRITE}", manifest.key, manifest.name, WRITE))
    return scopes


def scope_codes() -> set[str]:
    return {scope.code for scope in available_scopes()}


def required_scope(module_key: str | None, method: str) -> str | None:
    """The scope a request with HTTP `method` needs on a route of module `module_key`
    (None for core routes such as `/api/v1/me/`)."""
    if not module_key:
        return None
    return f"{module_key}:{READ if method in ('GET', 'HEAD', 'OPTIONS') else WRITE}"


def normalise(scopes) -> list[str]:
    """A sorted, de-duplicated list of known scope codes; `"*"` alone when it is present.
    Raises `ValueError` naming the first unknown code."""
    wanted = {str(s).strip() for s in scopes or () if str(s).strip()}
    if FULL_ACCESS in wanted:
        return [FULL_ACCESS]
    known = scope_codes()
    unknown = sorted(wanted - known)
    if unknown:
        raise ValueError(unknown[0])
    return sorted(wanted)
