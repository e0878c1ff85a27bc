"""Discovery of modules from the `zargar.modules` entry-point group, at settings time.

The order is deterministic: entry points sorted by name, then dependencies before dependents
(a stable topological sort). A module whose core range or dependencies are not met stops the
start-up with one `ModuleContractError` line naming the module and what is missing.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import Iterable

from django.core.exceptions import ImproperlyConfigured
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ENTRY_POINT_GROUP = "zargar.modules"


#: Module keys that would collide with core URL namespaces (`/app/<key>/`, `{% url "<key>:…" %}`)
#: or core permission prefixes.
RESERVED_KEYS = frozenset(
    {"accounts", "admin", "api", "api_keys", "app", "cms", "contract", "core", "help", "invitations",
     "members", "modules", "operator", "panel", "static", "media", "tenancy", "zargar"}
)


class ModuleContractError(ImproperlyConfigured):
    """A module cannot be loaded: wrong core range, missing dependency, cycle, or bad manifest.

    The message is one line that names the module (entry-point name or manifest key) and what
    is wrong, so a failed start-up says which plugin to fix or uninstall.
    """


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"


def _core_version() -> str:
    from zargar import __version__

    return __version__


def load_module_classes(eps: Iterable[EntryPoint] | None = None, *, exclude: Iterable[str] = (), core_version: str | None = None) -> list[type]:
    """Load, check and order the module AppConfig classes. Returns them dependencies-first.

    Raises `ModuleContractError` for: an entry point that fails to import or is not a
    `ModuleConfig`; an entry-point name that differs from `manifest.key`; a duplicate key;
    `core_requires` that excludes this core; a dependency that is not installed; a cycle.
    """
    from .manifest import ManifestError, ModuleManifest
    from .module_config import ModuleConfig

    core = Version(core_version or _core_version())
    excluded = set(exclude)
    found: dict[str, type] = {}
    candidates = eps if eps is not None else entry_points(group=ENTRY_POINT_GROUP)
    for ep in sorted(candidates, key=lambda e: (e.name, e.value)):
        if ep.name in excluded:
            continue
        try:
            cls = ep.load()
        except ManifestError as exc:
            raise ModuleContractError(f"Zargar module {ep.name!r} has an invalid manifest: {' '.join(str(exc).split())}") from exc
        except Exception as exc:  # an import error in a plugin must name the plugin
            raise ModuleContractError(f"Zargar module {ep.name!r} ({ep.value}) failed to load: {_one_line(exc)}") from exc
        if not (isinstance(cls, type) and issubclass(cls, ModuleConfig)):
            raise ModuleContractError(f"Zargar module {ep.name!r} ({ep.value}) is not a zargar.contract.ModuleConfig subclass")
        manifest = getattr(cls, "manifest", None)
        if not isinstance(manifest, ModuleManifest):
            raise ModuleContractError(f"Zargar module {ep.name!r} ({ep.value}) has no `manifest` (a zargar.contract.ModuleManifest)")
        if manifest.key in RESERVED_KEYS:
            raise ModuleContractError(f"Zargar module key {manifest.key!r} is reserved by the core; choose another key")
        if manifest.key != ep.name:
            raise ModuleContractError(f"Zargar module entry point {ep.name!r} declares manifest key {manifest.key!r}; they must match")
        if manifest.key in found:
            other = found[manifest.key]
            raise ModuleContractError(
                f"Zargar module key {manifest.key!r} is declared twice ({other.__module__}.{other.__qualname__} and {ep.value})"
            )
        if not SpecifierSet(manifest.core_requires).contains(core, prereleases=True):
            raise ModuleContractError(
                f"Zargar module {manifest.key!r} {manifest.version} requires Zargar core {manifest.core_requires}, "
                f"but this is core {core}"
            )
        found[manifest.key] = cls
    for key, cls in found.items():
        if key in cls.manifest.depends:
            raise ModuleContractError(f"Zargar module {key!r} depends on itself")
        missing = [dep for dep in cls.manifest.depends if dep not in found]
        if missing:
            raise ModuleContractError(
                f"Zargar module {key!r} depends on {', '.join(repr(m) for m in missing)}, which is not installed or is disabled"
            )
    return _dependency_order(found)


def _dependency_order(found: dict[str, type]) -> list[type]:
    ordered: list[type] = []
    state: dict[str, str] = {}

    def visit(key: str, chain: tuple[str, ...]) -> None:
        if state.get(key) == "done":
            return
        if state.get(key) == "visiting":
            raise ModuleContractError(f"Zargar modules depend on each other in a cycle: {' -> '.join((*chain, key))}")
        state[key] = "visiting"
        for dep in sorted(found[key].manifest.depends):
            visit(dep, (*chain, key))
        state[key] = "done"
        ordered.append(found[key])

    for key in sorted(found):
        visit(key, ())
    return ordered


def discover_module_apps(*, exclude: Iterable[str] = ()) -> list[str]:
    """Dotted AppConfig paths for `INSTALLED_APPS`, in load order."""
    return [f"{cls.__module__}.{cls.__qualname__}" for cls in load_module_classes(exclude=exclude)]
