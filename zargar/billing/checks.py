"""System checks of the billing configuration (`manage.py check`)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register("billing")
def check_stripe_settings(app_configs=None, **kwargs):
    """With `BILLING_GATEWAY=stripe`: the mode's secret key must be well-formed (billing.E001) and
    the webhook signing secret set (billing.E002)."""
    if getattr(settings, "BILLING_GATEWAY", "mock") != "stripe":
        return []
    from .gateways import GatewayError
    from .stripe_gateway import secret_key

    errors = []
    try:
        secret_key()
    except GatewayError as exc:
        errors.append(checks.Error(str(exc), hint="Set it in the environment (see .env.example).", id="billing.E001"))
    if not getattr(settings, "DJSTRIPE_WEBHOOK_SECRET", ""):
        errors.append(checks.Error("DJSTRIPE_WEBHOOK_SECRET is not set: Stripe's webhooks cannot be verified.", hint="Copy the endpoint's signing secret (whsec_...) from Stripe.", id="billing.E002"))
    return errors
