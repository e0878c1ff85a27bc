"""Public Stripe URLs, mounted at /billing/stripe/: Zargar's fixed webhook URL and dj-stripe's
own (`webhook/<uuid>/`, for endpoints created through dj-stripe)."""

from django.urls import include, path

from .stripe_views import StripeWebhookView

urlpatterns = [
    path("webhook/", StripeWebhookView.as_view(), name="stripe_webhook"),
    path("", include("djstripe.urls", namespace="djstripe")),
]
