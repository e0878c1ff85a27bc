"""Every error under /api/ is a JSON envelope; the OpenAPI schema and Swagger UI."""

from __future__ import annotations

import pytest
from django.test import override_settings
from drf_spectacular.validation import validate_schema

from .conftest import assert_error, with_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/v1/inventory/items/not-a-number/", "/api/nothing", "/api/v2/inventory/items/"])
@pytest.mark.parametrize("debug", [False, True])
def test_unknown_api_urls_are_json_404(api, shop_a, path, debug):
    with override_settings(DEBUG=debug):
        assert_error(with_key(api, shop_a.secret).get(path), 404, "not_found")


def test_method_not_allowed_is_json_405(api, shop_a):
    assert_error(with_key(api, shop_a.secret).delete("/api/v1/inventory/items/"), 405, "method_not_allowed")
    assert_error(api.get("/api/v1/auth/token/"), 405, "method_not_allowed")


def test_unauthenticated_is_json_401_with_challenge(api):
    response = api.get("/api/v1/me/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_malformed_json_is_json_400(api, shop_a):
    response = with_key(api, shop_a.secret).post("/api/v1/inventory/items/", "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_schema_is_valid_openapi3_with_only_zargar_paths(api):
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # drf-spectacular's bundled OpenAPI 3.0 JSON schema
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert "/api/v1/inventory/items/" in paths and "/api/v1/inventory/items/{id}/" in paths
    assert "/api/v1/auth/token/" in paths
    assert all(path.startswith("/api/") for path in paths), [p for p in paths if not p.startswith("/api/")]
    assert not any("/cms/" in path for path in paths)
    schemes = schema["components"]["securitySchemes"]
    assert {"apiKeyBearer", "apiKeyHeader", "jwtAuth", "cookieAuth"} <= set(schemes)
    listing = paths["/api/v1/inventory/items/"]["get"]
    params = {(p["in"], p["name"]) for p in listing["parameters"]}
    assert {("header", "X-Tenant"), ("query", "q"), ("query", "karat"), ("query", "limit"), ("query", "offset")} <= params
    assert {"401", "403", "404"} <= set(listing["responses"])
    assert "400" in paths["/api/v1/inventory/items/"]["post"]["responses"]


def test_swagger_ui_uses_local_static_files(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com"):
        assert cdn not in html
    assert "/api/schema/" in html


def test_swagger_ui_asset_is_served():
    from django.contrib.staticfiles import finders

    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_server_error_under_api_is_json_not_a_traceback(rf):
    from zargar.core.errors import server_error

    response = server_error(rf.get("/api/v1/inventory/items/"))
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.content == b'{"error": {"code": "server_error", "message": "Internal server error."}}'


def test_validation_error_envelope_names_fields(api, shop_a):
    response = with_key(api, shop_a.secret).post("/api/v1/inventory/items/", {"name": "x"}, format="json")
    error = assert_error(response, 400, "invalid")
    assert {"sku", "gross_weight", "net_weight", "price"} <= set(error["fields"])
    assert error["message"].startswith(next(iter(error["fields"])))
