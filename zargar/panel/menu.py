"""The tenant-panel menu, built per request from the manifests of enabled modules."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.urls import NoReverseMatch, reverse

from zargar.contract.registry import modules
from zargar.tenancy.middleware import enabled_modules


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str
    icon: str
    active: bool
    module_key: str


def build_menu(request) -> list[MenuItem]:
    """Menu entries of the modules enabled for the tenant that the member may see, by order."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return []
    enabled = enabled_modules(request)
    items: list[tuple[int, MenuItem]] = []
    for cfg in modules():
        m = cfg.manifest
        if m.key not in enabled:
            continue
        for entry in m.menu:
            if entry.permission and not membership.has_perm(entry.permission):
                continue
            try:
                url = reverse(f"{m.key}:{entry.url_name}")
            except NoReverseMatch:
                continue
            items.append((entry.order, MenuItem(str(entry.label), url, entry.icon, False, m.key)))
    # One entry is active: the one whose URL is the longest prefix of the path (on
    # /app/pos/sales/4/ "Sales", not also "Sale screen" at /app/pos/).
    current = max((item.url for _, item in items if request.path.startswith(item.url)), key=len, default=None)
    return [replace(item, active=item.url == current) for _, item in sorted(items, key=lambda pair: pair[0])]
