"""Billing test helpers: plans created through the billing actions, shops through the product's."""

from __future__ import annotations

import datetime as dt

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_user
from zargar.billing import actions
from zargar.billing.gateways import MockGateway

APRIL_1 = dt.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def _mock_gateway_reset():
    MockGateway.reset()
    yield
    MockGateway.reset()


def make_plan(code="basic", monthly="10.00", yearly="100.00", *, limits=None, trial_days=0, modules=(), currency="USD"):
    plan = actions.create_plan(code=code, name=code.title(), monthly_price=monthly, yearly_price=yearly, currency=currency, trial_days=trial_days, modules=modules, limits=limits)
    return plan.current_version


def verified_operator(client, email="op@example.com"):
    operator = make_user(email, is_superuser=True, is_staff=True)
    device = TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)
    client.force_login(operator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return operator


# --- Stripe: localstripe peer, settings, signed webhook deliveries ------------------------------
STRIPE_TEST_KEY = "sk_test_zargarLocalstripe0123456789abcdef"
WEBHOOK_SECRET = "whsec_zargarTestSigningSecret0123456789"
WEBHOOK_URL = "/billing/stripe/webhook/"


@pytest.fixture(scope="session")
def localstripe_url():
    """A localstripe server (`--from-scratch`) on a free 127.0.0.1 port for the whole session."""
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("localstripe did not start")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def stripe_settings(settings):
    """Zargar configured for Stripe (test mode) with a known webhook signing secret."""
    settings.BILLING_GATEWAY = "stripe"
    settings.STRIPE_LIVE_MODE = False
    settings.STRIPE_TEST_SECRET_KEY = STRIPE_TEST_KEY
    settings.DJSTRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.DJSTRIPE_WEBHOOK_TOLERANCE = 300
    settings.BILLING_STRIPE_SYNC_DJSTRIPE = False
    return settings


@pytest.fixture
def stripe_peer(stripe_settings, localstripe_url):
    """The Stripe gateway talking to localstripe: `stripe.api_base` points at it."""
    import stripe

    previous = stripe.api_base
    stripe.api_base = localstripe_url
    yield localstripe_url
    stripe.api_base = previous


def sign(body: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header: t=<unix time>,v1=HMAC-SHA256(secret, f"{t}.{body}")."""
    import hashlib
    import hmac
    import time

    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.{body}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def deliver(client, event: dict, **sign_kwargs):
    """POST `event` to the webhook URL as Stripe does (JSON body, signed)."""
    import json

    body = json.dumps(event)
    return client.post(WEBHOOK_URL, data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body, **sign_kwargs))
