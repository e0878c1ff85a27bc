"""The Stripe payment gateway (`BILLING_GATEWAY=stripe`), configured through dj-stripe.

Keys, live/test mode and the API version come from dj-stripe's settings
(`STRIPE_LIVE_MODE`, `STRIPE_TEST_SECRET_KEY` / `STRIPE_LIVE_SECRET_KEY`,
`djstripe_settings.STRIPE_API_VERSION`); a key must match
`^(pk|sk|rk)_(test|live)_[a-zA-Z0-9]{24,}$` (dj-stripe's rule), else every call raises
`GatewayError` and `manage.py check` reports `billing.E001`.

Two ways a shop pays:

* **Stripe-billed** (the usual one): the owner subscribes in Stripe's hosted Checkout
  (`checkout_url`) and manages cards, invoices and cancellation in Stripe's customer portal
  (`portal_url`). Stripe then renews and dunns; Zargar follows through webhooks
  (`stripe_events`) and mirrors Stripe's invoices.
* **Zargar-billed** invoices (proration invoices, operator-made invoices, renewals of
  subscriptions started in Zargar): `charge` pays them off-session with a PaymentIntent on the
  customer's default payment method; `refund` refunds it.

Calls used (all supported by the localstripe fake the tests run against, except Checkout and
the portal, which localstripe lacks): `Customer.create/retrieve`, `PaymentIntent.create`
(confirm + off_session), `Refund.create`, `Subscription.modify/cancel`.
"""

from __future__ import annotations

import re

import stripe
from django.db import transaction

from .gateways import ChargeResult, GatewayError

KEY_PATTERN = re.compile(r"^(pk|sk|rk)_(test|live)_[a-zA-Z0-9]{24,}$")


def secret_key() -> str:
    """The secret key of the configured mode. Raises `GatewayError` when missing or malformed."""
    from djstripe.settings import djstripe_settings

    key = djstripe_settings.STRIPE_SECRET_KEY
    if not key or not KEY_PATTERN.match(key):
        mode = "STRIPE_LIVE_SECRET_KEY" if djstripe_settings.STRIPE_LIVE_MODE else "STRIPE_TEST_SECRET_KEY"
        raise GatewayError(f"Stripe is not configured: {mode} must match (pk|sk|rk)_(test|live)_<24+ letters or digits>.")
    return key


def _options(idempotency_key: str | None = None) -> dict:
    from djstripe.settings import djstripe_settings

    options = {"api_key": secret_key(), "stripe_version": djstripe_settings.STRIPE_API_VERSION}
    if idempotency_key:
        options["idempotency_key"] = idempotency_key
    return options


def _failure(exc: stripe.StripeError) -> GatewayError:
    return GatewayError(getattr(exc, "user_message", None) or str(exc) or exc.__class__.__name__)


class StripeGateway:
    name = "stripe"

    # --- PaymentGateway protocol ---------------------------------------------------------------
    def create_customer(self, tenant, *, email: str) -> str:
        """Create the shop's Stripe customer (once: an existing mapping is returned) and record
        it in `StripeCustomer`, so webhooks find the shop. Returns the cus_… id."""
        from zargar.tenancy.context import tenant_context

        from .models import StripeCustomer

        with tenant_context(tenant):
            existing = StripeCustomer.objects.filter(tenant_id=tenant.pk).values_list("customer_id", flat=True).first()
        if existing:
            return existing
        params = {"name": tenant.name, "metadata": {"zargar_tenant_id": str(tenant.pk), "zargar_shop": tenant.slug}}
        if email:
            params["email"] = email
        try:
            customer = stripe.Customer.create(**params, **_options(f"zargar-customer-{tenant.pk}-{tenant.slug}"))
        except stripe.StripeError as exc:
            raise _failure(exc) from exc
        with tenant_context(tenant), transaction.atomic():
            StripeCustomer.objects.get_or_create(tenant_id=tenant.pk, defaults={"customer_id": customer.id, "livemode": bool(customer.get("livemode"))})
        return customer.id

    def charge(self, invoice) -> ChargeResult:
        """Pay `invoice.total_minor` off-session with the customer's default payment method.

        A card problem (declined, no card, authentication needed) is a failed `ChargeResult`
        with Stripe's decline code; an unreachable or failing Stripe raises `GatewayError`.
        The idempotency key is per invoice and attempt, so a retried request never pays twice.
        """
        customer_id = invoice.subscription.gateway_customer_id
        if not customer_id:
            return ChargeResult(False, code="no_customer", message="This shop has no Stripe customer.")
        attempt = invoice.attempts.count() + 1
        try:
            customer = stripe.Customer.retrieve(customer_id, **_options())
            payment_method = (customer.get("invoice_settings") or {}).get("default_payment_method")
            if not payment_method:
                return ChargeResult(False, code="no_payment_method", message="No default card is saved for this shop.")
            intent = stripe.PaymentIntent.create(
                amount=invoice.total_minor,
                currency=invoice.currency.lower(),
                customer=customer_id,
                payment_method=payment_method if isinstance(payment_method, str) else payment_method["id"],
                confirm=True,
                off_session=True,
                metadata={"zargar_invoice": invoice.number, "zargar_tenant_id": str(invoice.tenant_id)},
                **_options(f"zargar-invoice-{invoice.pk}-attempt-{attempt}"),
            )
        except stripe.CardError as exc:
            return ChargeResult(False, code=exc.code or "card_error", message=exc.user_message or str(exc))
        except stripe.StripeError as exc:
            raise _failure(exc) from exc
        if intent.status == "succeeded":
            return ChargeResult(True, charge_id=intent.id)
        if intent.status == "requires_action":
            return ChargeResult(False, charge_id=intent.id, code="authentication_required", message="The card needs the holder's authentication.")
        error = intent.get("last_payment_error") or {}
        return ChargeResult(False, charge_id=intent.id, code=error.get("code") or intent.status, message=error.get("message") or "")

    def refund(self, invoice, amount_minor: int | None = None) -> ChargeResult:
        """Refund a paid invoice's payment (pi_… or ch_…), all of it when `amount_minor` is None."""
        payment = invoice.gateway_charge_id
        if not payment:
            return ChargeResult(False, code="no_payment", message="This invoice has no Stripe payment to refund.")
        params = {"payment_intent": payment} if payment.startswith("pi_") else {"charge": payment}
        if amount_minor is not None:
            params["amount"] = int(amount_minor)
        try:
            refund = stripe.Refund.create(**params, metadata={"zargar_invoice": invoice.number}, **_options(f"zargar-refund-{invoice.pk}-{amount_minor}"))
        except stripe.InvalidRequestError as exc:
            return ChargeResult(False, code=exc.code or "refund_refused", message=exc.user_message or str(exc))
        except stripe.StripeError as exc:
            raise _failure(exc) from exc
        return ChargeResult(refund.status in ("succeeded", "pending"), charge_id=refund.id, code="" if refund.status != "failed" else "refund_failed")

    # --- Hosted pages --------------------------------------------------------------------------
    def checkout_url(self, tenant, version, cycle: str, *, email: str, success_url: str, cancel_url: str) -> str:
        """A Stripe Checkout session (mode=subscription) for `version` billed every `cycle`;
        returns its hosted page URL. The price is sent inline (`price_data`), so plans need no
        Stripe Price objects; the plan version, cycle and shop ride along as metadata and
        `client_reference_id` for the webhook."""
        from .proration import to_minor

        customer_id = self.create_customer(tenant, email=email)
        metadata = {"zargar_tenant_id": str(tenant.pk), "zargar_plan_version": str(version.pk), "zargar_cycle": str(cycle)}
        subscription_data = {"metadata": metadata}
        if version.trial_days:
            subscription_data["trial_period_days"] = version.trial_days
        try:
            session = stripe.checkout.Session.create(
                mode="subscription",
                customer=customer_id,
                client_reference_id=str(tenant.pk),
                line_items=[
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": version.currency.lower(),
                            "unit_amount": to_minor(version.price(cycle), version.currency),
                            "recurring": {"interval": "month" if cycle == "monthly" else "year"},
                            "product_data": {"name": f"Zargar {version.plan.name}", "metadata": {"zargar_plan": version.plan.code}},
                        },
                    }
                ],
                subscription_data=subscription_data,
                metadata=metadata,
                success_url=success_url,
                cancel_url=cancel_url,
                **_options(),
            )
        except stripe.StripeError as exc:
            raise _failure(exc) from exc
        return session.url

    def portal_url(self, tenant, *, return_url: str) -> str:
        """A Stripe customer portal session for the shop (cards, invoices, cancel)."""
        from zargar.tenancy.context import tenant_context

        from .models import StripeCustomer

        with tenant_context(tenant):
            customer_id = StripeCustomer.objects.filter(tenant_id=tenant.pk).values_list("customer_id", flat=True).first()
        if not customer_id:
            raise GatewayError("This shop has no Stripe customer yet.")
        try:
            session = stripe.billing_portal.Session.create(customer=customer_id, return_url=return_url, **_options())
        except stripe.StripeError as exc:
            raise _failure(exc) from exc
        return session.url

    # --- Stripe-billed subscriptions ----------------------------------------------------------
    def cancel_subscription(self, subscription_id: str, *, at_period_end: bool) -> dict:
        """Cancel a Stripe-billed subscription now or at its period end; returns Stripe's object
        (the webhook that follows brings the new state into Zargar)."""
        try:
            if at_period_end:
                return stripe.Subscription.modify(subscription_id, cancel_at_period_end=True, **_options())
            return stripe.Subscription.cancel(subscription_id, **_options())
        except stripe.StripeError as exc:
            raise _failure(exc) from exc
