"""Notification test fixtures: a shop with people of every role, a local SMTP server and a
local HTTP server standing in for Twilio's REST API."""

from __future__ import annotations

import json

import pytest

from tests.factories import make_member, make_shop
from tests.local_peers import HttpReceiver, SmtpSink

TWILIO_SID = "AC" + "0" * 32


@pytest.fixture
def shop(db):
    tenant, owner = make_shop("Notify Gold")
    return tenant, {
        "owner": owner,
        "admin": make_member(tenant, "admin"),
        "member": make_member(tenant, "member"),
    }


@pytest.fixture
def other_shop(db):
    return make_shop("Elsewhere Gold")


@pytest.fixture
def smtp(settings):
    sink = SmtpSink().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield sink
    sink.stop()


def _twilio_message(request):
    form = request.form
    return json.dumps({
        "sid": "SM" + "1" * 32, "account_sid": TWILIO_SID, "to": form.get("To"), "from": form.get("From"),
        "body": form.get("Body"), "status": "queued", "num_segments": "1", "direction": "outbound-api",
        "date_created": "Mon, 04 May 2026 09:00:00 +0000", "uri": f"/2010-04-01/Accounts/{TWILIO_SID}/Messages/SM{'1' * 32}.json",
    })


@pytest.fixture
def twilio(settings):
    """A local HTTP server answering like Twilio's Messages API; the client is pointed at it
    through `TWILIO_API_BASE`."""
    peer = HttpReceiver(script=[(201, _twilio_message)]).start()
    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = TWILIO_SID, "test-token"
    settings.TWILIO_FROM_NUMBER, settings.TWILIO_API_BASE = "+15005550006", peer.url
    yield peer
    peer.stop()


@pytest.fixture(autouse=True)
def _english():
    """Start each test in English (a test client request in Persian leaves it active)."""
    from django.utils import translation

    with translation.override("en"):
        yield
