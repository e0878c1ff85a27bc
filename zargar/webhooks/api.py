"""REST API of outbound webhooks: `/api/v1/webhook-endpoints/` and `/api/v1/webhook-deliveries/`.

Admins and owners (`tenancy.manage_api_keys`), with a session, a JWT or a secret API key.
Creating an endpoint or `POST …/<id>/rotate-secret/` returns its `secret` once; reads show only
`secret_hint`. `POST …/<id>/test/` queues a `webhook.test` event; `POST
/api/v1/webhook-deliveries/<id>/redeliver/` sends a delivery again. Errors are the API's JSON
envelope (`400 {"error": {"code": "invalid", "fields": {...}}}`, 404 for another shop's ids).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zargar.api.viewsets import ApiPagination, TenantScopedMixin

from . import selectors, services
from .events import event_types
from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

PERMISSION = "tenancy.manage_api_keys"


def _field_errors(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    code = getattr(exc, "code", None) or ""
    return {"events" if code == "events" else "url": exc.messages}


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=["*"]), allow_empty=False, min_length=1,
        help_text="Event types, or [\"*\"] for every type (see GET /api/v1/webhook-endpoints/event-types/).",
    )
    secret = serializers.SerializerMethodField(help_text="The signing secret: only in the answer that created or rotated it.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The registry is complete once the apps are loaded: the schema lists every type.
        self.fields["events"].child.choices = ["*", *sorted(event_types())]

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "description", "events", "enabled", "secret", "secret_hint", "consecutive_failures",
                  "disabled_at", "disabled_reason", "created_at", "updated_at"]
        read_only_fields = ["secret_hint", "consecutive_failures", "disabled_at", "disabled_reason", "created_at", "updated_at"]

    def get_secret(self, obj) -> str | None:
        return getattr(obj, "plain_secret", None)


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "url", "request_headers", "request_body", "response_status", "response_headers", "response_body",
                  "error", "duration_ms", "succeeded", "manual", "created_at"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(source="event.event_id")
    event_type = serializers.CharField(source="event.event_type")
    payload = serializers.JSONField(source="event.payload")
    attempts = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "endpoint", "event_id", "event_type", "payload", "status", "attempt_count", "next_attempt_at",
                  "last_status_code", "created_at", "completed_at", "attempts"]


class WebhookEndpointViewSet(TenantScopedMixin, viewsets.ModelViewSet):
    """The shop's webhook endpoints."""

    serializer_class = WebhookEndpointSerializer
    queryset = WebhookEndpoint.objects.none()
    pagination_class = ApiPagination
    read_permission = write_permission = PERMISSION
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.endpoints_of(self.tenant).order_by("pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            endpoint = services.create_endpoint(
                self.tenant, url=data["url"], events=data["events"], description=data.get("description", ""), enabled=data.get("enabled", True)
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_field_errors(exc)) from exc
        endpoint.plain_secret = endpoint.secret
        serializer.instance = endpoint

    def perform_update(self, serializer):
        endpoint, data = serializer.instance, serializer.validated_data
        try:
            services.update_endpoint(
                self.tenant, endpoint, url=data.get("url", endpoint.url), events=data.get("events", endpoint.events),
                description=data.get("description", endpoint.description), enabled=data.get("enabled", endpoint.enabled),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(_field_errors(exc)) from exc

    def perform_destroy(self, instance):
        services.delete_endpoint(self.tenant, instance)

    @extend_schema(request=None, responses={200: WebhookEndpointSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new signing secret, returned once; the old one also signs for 24 hours."""
        endpoint = self.get_object()
        endpoint.plain_secret = services.rotate_secret(self.tenant, endpoint)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Queue a `webhook.test` event to this endpoint; returns the delivery."""
        delivery = services.send_test(self.tenant, self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: {"type": "object", "additionalProperties": {"type": "string"}, "description": "event type → label"}})
    @action(detail=False, methods=["get"], url_path="event-types")
    def event_types(self, request):
        """`{type: label}` of every event type an endpoint can select."""
        return Response({key: str(label) for key, label in sorted(event_types().items())})


class WebhookDeliveryViewSet(TenantScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log, newest first; filter with `?endpoint=<id>` and `?status=`."""

    serializer_class = WebhookDeliverySerializer
    queryset = WebhookDelivery.objects.none()
    pagination_class = ApiPagination
    read_permission = write_permission = PERMISSION

    def get_queryset(self):
        qs = selectors.deliveries_of(self.tenant).prefetch_related("attempts")
        endpoint = self.request.query_params.get("endpoint")
        if endpoint:
            # isdigit() alone accepts "²" and other digits int() refuses (a 500).
            qs = qs.filter(endpoint_id=int(endpoint)) if endpoint.isascii() and endpoint.isdigit() else qs.none()
        wanted = self.request.query_params.get("status")
        if wanted in DeliveryStatus.values:
            qs = qs.filter(status=wanted)
        return qs

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        """Send this delivery again now."""
        delivery = self.get_object()
        services.redeliver(self.tenant, delivery)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
