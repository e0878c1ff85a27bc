"""The Stripe gateway against localstripe (a stateful fake Stripe on 127.0.0.1, no internet).

Used there: customers, card payment methods (attach + default), PaymentIntents confirmed
off-session, refunds, legacy products/plans and subscriptions (for cancellation). localstripe
has no Checkout and no customer portal: the hosted-page views are tested against a small local
HTTP server that answers like Stripe and records what it was sent.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe

from tests.factories import make_shop
from zargar.billing import actions
from zargar.billing.checks import check_stripe_settings
from zargar.billing.gateways import GatewayError, HostedBilling, PaymentGateway, get_gateway
from zargar.billing.models import Invoice, PaymentAttempt, StripeCustomer
from zargar.billing.stripe_gateway import StripeGateway
from zargar.tenancy.context import tenant_context

from .conftest import STRIPE_TEST_KEY, make_plan

pytestmark = pytest.mark.django_db

GOOD_CARD = "4242424242424242"
DECLINED_ON_CHARGE = "4000000000000341"  # attaches, then every charge is declined


def save_card(customer_id: str, number: str) -> str:
    options = {"api_key": STRIPE_TEST_KEY}
    pm = stripe.PaymentMethod.create(type="card", card={"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"}, **options)
    stripe.PaymentMethod.attach(pm.id, customer=customer_id, **options)
    stripe.Customer.modify(customer_id, invoice_settings={"default_payment_method": pm.id}, **options)
    return pm.id


def test_gateway_is_chosen_by_setting_and_implements_the_protocols(stripe_settings):
    gateway = get_gateway()
    assert isinstance(gateway, StripeGateway)
    assert isinstance(gateway, PaymentGateway) and isinstance(gateway, HostedBilling)


def test_malformed_key_is_refused_by_calls_and_by_check(stripe_settings):
    stripe_settings.STRIPE_TEST_SECRET_KEY = "sk_test_short"
    shop, _ = make_shop()
    with pytest.raises(GatewayError, match="STRIPE_TEST_SECRET_KEY"):
        StripeGateway().create_customer(shop, email="a@example.com")
    assert [e.id for e in check_stripe_settings()] == ["billing.E001"]
    stripe_settings.DJSTRIPE_WEBHOOK_SECRET = ""
    assert [e.id for e in check_stripe_settings()] == ["billing.E001", "billing.E002"]


def test_subscribe_charges_the_saved_card_and_refunds_it(stripe_peer):
    version = make_plan(monthly="25.00")
    shop, owner = make_shop()
    gateway = StripeGateway()
    customer_id = gateway.create_customer(shop, email=owner.email)
    assert gateway.create_customer(shop, email=owner.email) == customer_id  # once per shop
    with tenant_context(shop):  # a shop row (RLS)
        assert StripeCustomer.objects.get(tenant=shop).customer_id == customer_id
    remote = stripe.Customer.retrieve(customer_id, api_key=STRIPE_TEST_KEY)
    assert remote.email == owner.email and remote.metadata["zargar_tenant_id"] == str(shop.pk)
    save_card(customer_id, GOOD_CARD)

    sub = actions.subscribe(shop, version, email=owner.email)
    assert sub.status == "active" and sub.gateway_customer_id == customer_id
    with tenant_context(shop):
        invoice = Invoice.objects.get(tenant=shop)
        assert invoice.status == "paid" and invoice.gateway_charge_id.startswith("pi_")
        attempt = PaymentAttempt.objects.get(invoice=invoice)
    assert attempt.succeeded and attempt.gateway == "stripe"
    intent = stripe.PaymentIntent.retrieve(invoice.gateway_charge_id, api_key=STRIPE_TEST_KEY)
    assert (intent.amount, intent.currency, intent.status) == (2500, "usd", "succeeded")
    assert intent.metadata["zargar_invoice"] == invoice.number

    partial = gateway.refund(invoice, 1000)
    assert partial.succeeded and partial.charge_id.startswith("re_")
    assert stripe.Refund.retrieve(partial.charge_id, api_key=STRIPE_TEST_KEY).amount == 1000
    full = gateway.refund(invoice)
    assert full.succeeded and stripe.Refund.retrieve(full.charge_id, api_key=STRIPE_TEST_KEY).amount == 2500


def test_declined_card_and_missing_card_are_failed_attempts_with_dunning(stripe_peer):
    version = make_plan()
    shop, owner = make_shop()
    customer_id = StripeGateway().create_customer(shop, email=owner.email)
    sub = actions.subscribe(shop, version, email=owner.email)  # no card saved yet
    assert sub.status == "past_due" and sub.failed_attempts == 1
    with tenant_context(shop):
        first = PaymentAttempt.objects.get(tenant=shop)
        invoice = Invoice.objects.get(tenant=shop)
    assert (first.succeeded, first.code) == (False, "no_payment_method")

    save_card(customer_id, DECLINED_ON_CHARGE)
    assert actions.pay_invoice(invoice) is False
    with tenant_context(shop):
        codes = list(PaymentAttempt.objects.filter(tenant=shop).order_by("id").values_list("code", flat=True))
        invoice.refresh_from_db()
    assert codes == ["no_payment_method", "card_declined"]
    assert invoice.status == "open"

    save_card(customer_id, GOOD_CARD)
    assert actions.pay_invoice(invoice) is True
    assert actions.get_subscription(shop).status == "active"


def test_unreachable_stripe_is_refused_cleanly_or_recorded_as_an_attempt(stripe_settings, client):
    stripe.api_base, previous = "http://127.0.0.1:9", stripe.api_base  # nothing listens there
    try:
        version = make_plan()
        shop, owner = make_shop()
        with pytest.raises(GatewayError):
            StripeGateway().create_customer(shop, email=owner.email)
        client.force_login(owner)
        response = client.post("/app/billing/change/", {"version": version.pk, "cycle": "monthly", "when": "now"}, follow=True)
        assert response.status_code == 200 and b"could not be reached" in response.content
        assert actions.get_subscription(shop) is None  # nothing half-written

        with tenant_context(shop):
            StripeCustomer.objects.create(tenant=shop, customer_id="cus_offline")
        sub = actions.subscribe(shop, version, email=owner.email)  # the customer is known: the charge fails
        assert sub.status == "past_due" and sub.failed_attempts == 1
        with tenant_context(shop):
            attempt = PaymentAttempt.objects.get(tenant=shop)
        assert (attempt.succeeded, attempt.code, attempt.gateway) == (False, "gateway_error", "stripe")
    finally:
        stripe.api_base = previous


def test_cancel_a_stripe_billed_subscription_at_stripe(stripe_peer):
    version = make_plan()
    shop, owner = make_shop()
    gateway = StripeGateway()
    customer_id = gateway.create_customer(shop, email=owner.email)
    save_card(customer_id, GOOD_CARD)
    options = {"api_key": STRIPE_TEST_KEY}
    product = stripe.Product.create(name="Zargar Basic", type="service", **options)
    plan = stripe.Plan.create(product=product.id, amount=1000, currency="usd", interval="month", **options)
    remote = stripe.Subscription.create(customer=customer_id, items=[{"plan": plan.id}], **options)
    actions.subscribe(shop, version, email=owner.email)
    with tenant_context(shop):
        sub = actions.get_subscription(shop)
        sub.gateway_subscription_id = remote.id
        sub.save()

    actions.cancel_subscription(shop, at_period_end=True)
    assert stripe.Subscription.retrieve(remote.id, **options).cancel_at_period_end is True
    assert actions.get_subscription(shop).cancel_at_period_end
    with pytest.raises(actions.BillingError):
        actions.change_plan(shop, make_plan("pro", "20.00", "200.00"))  # Stripe bills it: the portal changes plans
    actions.cancel_subscription(shop, at_period_end=False)
    assert stripe.Subscription.retrieve(remote.id, **options).status == "canceled"
    assert actions.get_subscription(shop).status == "canceled"


class _FakeStripeHosted(BaseHTTPRequestHandler):
    """Answers /v1/customers, /v1/checkout/sessions and /v1/billing_portal/sessions like Stripe."""

    seen: list = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.seen.append((self.path, body, self.headers.get("Authorization")))
        if self.path == "/v1/customers":
            payload = {"id": "cus_hosted1", "object": "customer", "livemode": False}
        elif self.path == "/v1/checkout/sessions":
            payload = {"id": "cs_test_1", "object": "checkout.session", "url": "https://checkout.stripe.test/c/pay/cs_test_1"}
        else:
            payload = {"id": "bps_1", "object": "billing_portal.session", "url": "https://billing.stripe.test/p/session/bps_1"}
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def hosted_stripe(stripe_settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeStripeHosted)
    _FakeStripeHosted.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    previous = stripe.api_base
    stripe.api_base = f"http://127.0.0.1:{server.server_address[1]}"
    yield _FakeStripeHosted.seen
    stripe.api_base = previous
    server.shutdown()


def test_billing_page_sends_the_owner_to_checkout_and_the_portal(client, hosted_stripe):
    version = make_plan(monthly="12.50", trial_days=0)
    shop, owner = make_shop()
    client.force_login(owner)
    page = client.get("/app/billing/")
    assert b'action="/app/billing/checkout/"' in page.content

    response = client.post("/app/billing/checkout/", {"version": version.pk, "cycle": "monthly"})
    assert response.status_code == 302 and response["Location"] == "https://checkout.stripe.test/c/pay/cs_test_1"
    path, body, auth = hosted_stripe[-1]
    assert path == "/v1/checkout/sessions" and auth == f"Bearer {STRIPE_TEST_KEY}"
    assert body["mode"] == ["subscription"] and body["customer"] == ["cus_hosted1"] and body["client_reference_id"] == [str(shop.pk)]
    assert body["line_items[0][price_data][unit_amount]"] == ["1250"]
    assert body["line_items[0][price_data][recurring][interval]"] == ["month"]
    assert body["subscription_data[metadata][zargar_plan_version]"] == [str(version.pk)]
    assert body["success_url"][0].endswith("/app/billing/?checkout=success")

    page = client.get("/app/billing/")
    assert b'action="/app/billing/portal/"' in page.content
    response = client.post("/app/billing/portal/")
    assert response.status_code == 302 and response["Location"].startswith("https://billing.stripe.test/")
    assert hosted_stripe[-1][0] == "/v1/billing_portal/sessions" and hosted_stripe[-1][1]["customer"] == ["cus_hosted1"]


def test_checkout_refuses_bad_input_and_mock_gateway_has_no_hosted_pages(client, settings):
    shop, owner = make_shop()
    client.force_login(owner)
    settings.BILLING_GATEWAY = "mock"
    assert client.post("/app/billing/checkout/", {"version": 1, "cycle": "monthly"}).status_code == 404
    settings.BILLING_GATEWAY = "stripe"
    settings.STRIPE_TEST_SECRET_KEY = STRIPE_TEST_KEY
    response = client.post("/app/billing/checkout/", {"version": 999999, "cycle": "weekly"}, follow=True)
    assert response.status_code == 200 and b"Choose a plan and a billing cycle." in response.content
