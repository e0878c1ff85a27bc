"""`/api/v1/webhook-endpoints/…` and `/api/v1/webhook-deliveries/…` (mounted by zargar/urls.py)."""

from rest_framework.routers import SimpleRouter

from .api import WebhookDeliveryViewSet, WebhookEndpointViewSet

router = SimpleRouter()
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")

app_name = "webhooks-api"
urlpatterns = router.urls
