"""Stripe's webhook endpoint: dj-stripe's own view, on a fixed URL.

dj-stripe 2.11 receives webhooks at `webhook/<uuid>/` of a `WebhookEndpoint` row holding the
signing secret and tolerance. Zargar configures that secret from the environment
(`DJSTRIPE_WEBHOOK_SECRET`, tolerance `DJSTRIPE_WEBHOOK_TOLERANCE` = 300 s), so
`local_webhook_endpoint()` keeps one such row in step with the settings, and
`/billing/stripe/webhook/` hands each delivery to dj-stripe's `ProcessWebhookView` for it.
Answers: 200 (stored, verified, handled — also for a repeated event), 400 (no, bad or expired
signature), 409 (the event needs one Stripe sends later; Stripe retries), 503 (no secret set).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from djstripe.views import ProcessWebhookView

from .stripe_events import HANDLED, EventNotReady

LOCAL_ENDPOINT_ID = "we_zargar_settings"


def local_webhook_endpoint():
    """The dj-stripe `WebhookEndpoint` configured by settings (created or updated to match), or
    None when `DJSTRIPE_WEBHOOK_SECRET` is empty."""
    from djstripe.enums import WebhookEndpointValidation
    from djstripe.models import WebhookEndpoint

    secret = getattr(settings, "DJSTRIPE_WEBHOOK_SECRET", "")
    if not secret:
        return None
    tolerance = int(getattr(settings, "DJSTRIPE_WEBHOOK_TOLERANCE", 300))
    livemode = bool(getattr(settings, "STRIPE_LIVE_MODE", False))
    endpoint = WebhookEndpoint.objects.filter(id=LOCAL_ENDPOINT_ID).first()
    if endpoint is not None and (endpoint.secret, endpoint.djstripe_tolerance, endpoint.livemode) == (secret, tolerance, livemode):
        return endpoint
    endpoint, _created = WebhookEndpoint.objects.update_or_create(
        id=LOCAL_ENDPOINT_ID,
        defaults={
            "secret": secret,
            "djstripe_tolerance": tolerance,
            "djstripe_validation_method": WebhookEndpointValidation.verify_signature,
            "livemode": livemode,
            "url": "/billing/stripe/webhook/",
            "enabled_events": sorted(HANDLED),
            "status": "enabled",
            "metadata": {},
        },
    )
    return endpoint


@method_decorator(csrf_exempt, name="dispatch")
@method_decorator(login_not_required, name="dispatch")
class StripeWebhookView(ProcessWebhookView):
    def post(self, request, uuid=None):
        endpoint = local_webhook_endpoint()
        if endpoint is None:
            return JsonResponse({"error": {"code": "not_configured", "message": "DJSTRIPE_WEBHOOK_SECRET is not set."}}, status=503)
        try:
            return super().post(request, uuid=endpoint.djstripe_uuid)
        except EventNotReady as exc:
            return JsonResponse({"error": {"code": "not_ready", "message": str(exc)}}, status=409)
