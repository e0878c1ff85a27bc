"""The hook registry behind `ExtensionPoint`s, filtered per tenant by module activation."""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator

from .extension_points import ExtensionPoint

_hooks: dict[ExtensionPoint, list[tuple[str | None, Callable]]] = defaultdict(list)


def register(point: ExtensionPoint, fn: Callable, *, module_key: str | None = None) -> Callable:
    """Add `fn` at `point`. Raises `TypeError` for a point that is not an `ExtensionPoint`."""
    if not isinstance(point, ExtensionPoint):
        raise TypeError(f"extension point must be an ExtensionPoint, not {point!r}")
    _hooks[point].append((module_key, fn))
    return fn


def get_hooks(point: ExtensionPoint, *, enabled_modules: Iterable[str] | None = None) -> list[Callable]:
    """The functions registered at `point`, in registration order (which follows the module
    discovery order). With `enabled_modules`, hooks of modules not in it are left out."""
    enabled = None if enabled_modules is None else set(enabled_modules)
    return [fn for key, fn in _hooks[ExtensionPoint(point)] if enabled is None or key is None or key in enabled]


@contextmanager
def register_temporarily(point: ExtensionPoint, fn: Callable, *, module_key: str | None = None) -> Iterator[None]:
    """For tests: a hook that exists only inside the `with` block."""
    register(point, fn, module_key=module_key)
    try:
        yield
    finally:
        _hooks[point].remove((module_key, fn))
