"""`/api/v1/…` routes (core and every module's `manifest.api_routes`), the OpenAPI schema at
`/api/schema/` and Swagger UI at `/api/docs/` (assets from drf-spectacular-sidecar, no CDN).
Unknown paths under `/api/` answer a JSON 404."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.urls import include, path, re_path
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from zargar.contract.registry import modules
from zargar.core.errors import not_found

from . import views
from .viewsets import TenantScopedMixin


def module_api_patterns():
    patterns = []
    for cfg in modules():
        manifest = cfg.manifest
        if not manifest.api_routes:
            continue
        router = SimpleRouter()
        for route in manifest.api_routes:
            viewset = import_string(route.viewset)
            if not issubclass(viewset, TenantScopedMixin):
                raise ImproperlyConfigured(
                    f"Zargar module {manifest.key!r}: API viewset {route.viewset} must subclass zargar.api.viewsets.TenantModelViewSet"
                )
            viewset.module_key = manifest.key
            router.register(route.prefix, viewset, basename=route.basename)
        patterns.append(path("", include((router.urls, manifest.key), namespace=f"{manifest.key}")))
    return patterns


core_router = SimpleRouter()
core_router.register("api-keys", views.ApiKeyViewSet, basename="api-key")

v1 = [
    path("auth/token/", views.ZargarTokenObtainPairView.as_view(), name="token-obtain"),
    path("auth/token/refresh/", views.ZargarTokenRefreshView.as_view(), name="token-refresh"),
    path("me/", views.MeView.as_view(), name="me"),
    *core_router.urls,
    *module_api_patterns(),
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Anything else under /api/ is a JSON 404, also with DEBUG on (no HTML, no APPEND_SLASH redirect).
    # csrf_exempt: an unknown path answers 404 to every method, never the CSRF failure page.
    re_path(r"^.*$", csrf_exempt(not_found), name="api-not-found"),
]
