"""drf-spectacular integration: which routes are documented, the security schemes of Zargar's
credentials, the `X-Tenant` header and the JSON error responses of every operation.

Loaded from `ApiConfig.ready()` so the extensions are registered before any schema is built.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

X_TENANT = OpenApiParameter(
    name="X-Tenant",
    location=OpenApiParameter.HEADER,
    required=False,
    type=str,
    description=(
        "Slug of the shop this request acts in, for session and JWT credentials when the user "
        "belongs to more than one shop (with one shop it may be left out; the panel's active shop "
        "is used for session requests). Ignored for API keys, which belong to one shop. "
        "A shop the user is not a member of answers 404."
    ),
)


def only_zargar_api(endpoints, **kwargs):
    """Keep Zargar's own `/api/` routes; drop Wagtail's and anything else the scan finds."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable error code, e.g. `invalid`, `not_authenticated`, `permission_denied`, `not_found`")
    message = serializers.CharField(help_text="Human-readable message (translated to the request's language)")
    fields = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="Validation errors only: field name → list of messages (nested objects and lists follow the input's shape)",
    )


class ErrorSerializer(serializers.Serializer):
    """Every error under /api/ has this shape."""

    error = ErrorBodySerializer()


def _error(description) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


class ZargarAutoSchema(AutoSchema):
    """AutoSchema that adds the `X-Tenant` header to shop-scoped views and the JSON error
    responses (400 on writes, 401, 403, 404) to every operation that does not declare them."""

    def _is_tenant_scoped(self) -> bool:
        from .viewsets import TenantScopedMixin

        return isinstance(self.view, TenantScopedMixin)

    def get_override_parameters(self):
        params = super().get_override_parameters()
        return [X_TENANT, *params] if self._is_tenant_scoped() else params

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        """A serializer may name alternative required fields (`any_of_required = (("item",),
        ("barcode",))`): the schema then says at least one group must be present."""
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        groups = getattr(serializer, "any_of_required", None)
        if groups and direction == "request" and isinstance(schema, dict):
            schema["anyOf"] = [{"required": list(group)} for group in groups]
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """Tighter string schemas than drf-spectacular's defaults, so the schema says what the
        API accepts: decimals need at least one digit (and no sign when the minimum is not
        negative, a non-zero integer part when it is positive); text has no NUL characters and,
        when it may not be blank, at least one non-space character (DRF trims whitespace)."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.ListSerializer) and isinstance(schema, dict) and schema.get("type") == "array":
            least = max(field.min_length or 0, 0 if field.allow_empty else 1)
            if least:
                schema["minItems"] = least
        if direction == "request" and isinstance(schema, dict) and schema.get("type") == "boolean" and isinstance(field, serializers.BooleanField):
            # DRF also takes 0/1 and the strings true/false/1/0/yes/no/on/off; say so.
            schema.pop("type")
            schema["anyOf"] = [
                {"type": "boolean"},
                {"type": "integer", "minimum": 0, "maximum": 1},
                {"type": "string", "pattern": "^(true|false|True|False|TRUE|FALSE|1|0|yes|no|on|off)$"},
            ]
            return schema
        if not isinstance(schema, dict) or schema.get("type") != "string" or direction != "request":
            return schema
        if isinstance(field, serializers.DecimalField) and schema.get("format") == "decimal":
            whole = (field.max_digits - field.decimal_places) if field.max_digits is not None and field.decimal_places is not None else None
            places = field.decimal_places
            ints = rf"\d{{1,{whole}}}" if whole else r"\d+"
            fraction = (rf"(?:\.\d{{1,{places}}})?" if places else "") if places is not None else r"(?:\.\d+)?"
            minimum = field.min_value
            if minimum is not None and 0 < minimum <= 1:
                ints = rf"[1-9]\d{{0,{whole - 1}}}" if whole else r"[1-9]\d*"
            sign = "" if minimum is not None and minimum >= 0 else "-?"
            schema["pattern"] = f"^{sign}{ints}{fraction}$"
        elif type(field) in (serializers.CharField,) or isinstance(field, serializers.EmailField):
            if field.allow_blank or not getattr(field, "trim_whitespace", True):
                schema.setdefault("pattern", r"^[^\u0000]*$")
            elif "pattern" not in schema:
                schema["pattern"] = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = {}
        errors["400"] = _error(_("Invalid input (body or query parameters); `error.fields` names each field's problems."))
        if self.method in ("POST", "PUT", "PATCH"):
            errors["415"] = _error(_("The body is not JSON (send Content-Type: application/json)."))
        errors["401"] = _error(_("Missing, invalid, expired or revoked credential."))
        if self._is_tenant_scoped():
            errors["403"] = _error(_("The credential's role, a publishable key or a missing API-key scope (`missing_scope`) does not allow this."))
            errors["404"] = _error(_("Not found in this shop, the module is off for the shop, or the X-Tenant shop is not yours; on writes also a referenced object the shop does not have (`resource_missing`, `unknown_barcode`, …)."))
            errors["402"] = _error(_("The shop's subscription has ended (`subscription_ended`)."))
            if self.method in ("POST", "PUT", "PATCH", "DELETE"):
                errors["409"] = _error(_("The shop's current state refuses the change (`out_of_stock`, `insufficient_credit`, `not_open`, …)."))
        errors["429"] = _error(_("Rate limit of the API key (`rate_limited`, see Retry-After) or the plan's monthly calls (`limit_exceeded`) reached."))
        for code, response in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """`Authorization: Bearer sk_live_…` or `X-Api-Key: sk_live_…` (either one)."""

    target_class = "zargar.api.authentication.ApiKeyAuthentication"
    name = ["apiKeyBearer", "apiKeyHeader"]

    def get_security_requirement(self, auto_schema):
        return [{"apiKeyBearer": []}, {"apiKeyHeader": []}]

    def get_security_definition(self, auto_schema):
        bearer = build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer", bearer_format="sk_live_… / pk_live_…")
        bearer["description"] = (
            "A shop's API key as a bearer token. Secret keys (`sk_live_…`, `sk_test_…`) read and "
            "write; publishable keys (`pk_live_…`, `pk_test_…`) may only use GET/HEAD/OPTIONS."
        )
        header = {
            "type": "apiKey",
            "in": "header",
            "name": "X-Api-Key",
            "description": "The same API key, in the X-Api-Key header instead of Authorization.",
        }
        return [bearer, header]


class TwoFactorSessionScheme(OpenApiAuthenticationExtension):
    target_class = "zargar.api.authentication.TwoFactorSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        from django.conf import settings

        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "The panel's session cookie. Unsafe methods need the X-CSRFToken header.",
        }
