"""URL patterns assembled from module manifests."""

from __future__ import annotations

from django.urls import include, path


def module_panel_urlpatterns():
    """`/app/<key>/` → the module's `manifest.urls`, in the URL namespace `<key>`."""
    from .discovery import load_module_classes  # noqa: F401  (keeps import order obvious)
    from .registry import modules

    patterns = []
    for cfg in modules():
        m = cfg.manifest
        if m.urls:
            patterns.append(path(f"app/{m.key}/", include((m.urls, m.key), namespace=m.key)))
    return patterns
