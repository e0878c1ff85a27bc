"""The webhooks pages at /app/webhooks/: endpoints, secret shown once, test send, delivery log,
redeliver, permissions and shop scoping; RLS of the four webhook tables."""

from __future__ import annotations

import re

import pytest

from tests.isolation import assert_table_isolated
from zargar.tenancy.context import tenant_context
from zargar.webhooks import services
from zargar.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

SECRET_RE = re.compile(r"whsec_[A-Za-z0-9_-]{43}")


@pytest.fixture
def owner_client(client, shop):
    client.force_login(shop[1]["owner"])
    return client


def endpoints(tenant):
    with tenant_context(tenant):
        return list(WebhookEndpoint.objects.filter(tenant=tenant).order_by("pk"))


def test_create_shows_the_secret_once(owner_client, shop, receiver):
    tenant, _ = shop
    response = owner_client.post("/app/webhooks/new/", {"url": receiver.url + "/in", "description": "ERP", "events": ["sale.completed", "item.created"], "enabled": "on"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    (secret,) = set(SECRET_RE.findall(response.content.decode()))
    (endpoint,) = endpoints(tenant)
    assert endpoint.secret == secret and endpoint.events == ["item.created", "sale.completed"] and endpoint.enabled
    for page in ("/app/webhooks/", f"/app/webhooks/{endpoint.pk}/"):
        html = owner_client.get(page).content.decode()
        assert receiver.url in html and secret not in html and endpoint.secret_hint in html


def test_form_errors_are_400_and_write_nothing(owner_client, shop, receiver):
    tenant, _ = shop
    assert owner_client.post("/app/webhooks/new/", {"url": "not a url", "events": ["item.created"]}).status_code == 400
    response = owner_client.post("/app/webhooks/new/", {"url": receiver.url})
    assert response.status_code == 400 and "Choose at least one event" in response.content.decode()
    assert endpoints(tenant) == []


def test_edit_rotate_and_delete(owner_client, shop, receiver):
    tenant, _ = shop
    endpoint = services.create_endpoint(tenant, url=receiver.url, events=["item.created"])
    response = owner_client.post(f"/app/webhooks/{endpoint.pk}/edit/", {"url": receiver.url + "/v2", "all_events": "on", "enabled": ""})
    assert response.status_code == 302
    (endpoint,) = endpoints(tenant)
    assert endpoint.url.endswith("/v2") and endpoint.events == ["*"] and not endpoint.enabled

    old = endpoint.secret
    assert owner_client.get(f"/app/webhooks/{endpoint.pk}/rotate/").status_code == 200
    response = owner_client.post(f"/app/webhooks/{endpoint.pk}/rotate/")
    (new,) = set(SECRET_RE.findall(response.content.decode()))
    (endpoint,) = endpoints(tenant)
    assert new != old and endpoint.secret == new and endpoint.previous_secret == old

    assert owner_client.post(f"/app/webhooks/{endpoint.pk}/delete/").status_code == 302
    assert endpoints(tenant) == []


def test_test_send_and_redeliver_from_the_log(owner_client, shop, receiver, django_capture_on_commit_callbacks):
    tenant, _ = shop
    receiver.script = [(500, "nope"), (200, "thanks")]
    endpoint = services.create_endpoint(tenant, url=receiver.url, events=["sale.completed"])
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/app/webhooks/{endpoint.pk}/test/")
    assert response.status_code == 302
    with tenant_context(tenant):
        (delivery,) = WebhookDelivery.objects.all()
    assert response["Location"] == f"/app/webhooks/deliveries/{delivery.pk}/"
    assert receiver.requests[0].headers["Zargar-Event-Type"] == "webhook.test"
    page = owner_client.get(response["Location"]).content.decode()
    assert "nope" in page and "Zargar-Signature" in page and "500" in page

    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.post(f"/app/webhooks/deliveries/{delivery.pk}/redeliver/").status_code == 302
    with tenant_context(tenant):
        delivery.refresh_from_db()
        attempts = list(WebhookAttempt.objects.filter(delivery=delivery).values_list("number", "response_status", "manual"))
        endpoint.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and attempts == [(1, 500, False), (2, 200, True)]
    assert endpoint.consecutive_failures == 0  # test events never count towards disabling
    log = owner_client.get("/app/webhooks/deliveries/?status=succeeded").content.decode()
    assert "webhook.test" in log
    assert "webhook.test" not in owner_client.get("/app/webhooks/deliveries/?status=failed").content.decode()


def test_members_get_403_and_other_shops_404(client, shop, other_shop, receiver):
    tenant, people = shop
    other, other_owner = other_shop
    theirs = services.create_endpoint(other, url=receiver.url, events=["*"])
    client.force_login(people["member"])
    assert client.get("/app/webhooks/").status_code == 403
    client.force_login(people["admin"])
    assert client.get("/app/webhooks/").status_code == 200
    for url in (f"/app/webhooks/{theirs.pk}/", f"/app/webhooks/{theirs.pk}/edit/", f"/app/webhooks/deliveries/?endpoint={theirs.pk}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/app/webhooks/{theirs.pk}/test/").status_code == 404
    assert client.post(f"/app/webhooks/{theirs.pk}/delete/").status_code == 404
    assert endpoints(other) == [theirs]


def test_persian_panel_renders(owner_client, shop, receiver):
    tenant, people = shop
    services.create_endpoint(tenant, url=receiver.url, events=["*"])
    owner_client.cookies["django_language"] = "fa"
    html = owner_client.get("/app/webhooks/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert 'dir="rtl"' in html and re.search(r"[\u0600-\u06FF]", html)


def test_webhook_tables_are_isolated(shop, other_shop, receiver, django_capture_on_commit_callbacks):
    tenant, _ = shop
    other, _owner = other_shop
    for t in (tenant, other):
        endpoint = services.create_endpoint(t, url=receiver.url, events=["*"])
        with django_capture_on_commit_callbacks(execute=True):
            services.send_test(t, endpoint)
    for table in ("webhooks_webhookendpoint", "webhooks_webhookevent", "webhooks_webhookdelivery", "webhooks_webhookattempt"):
        assert_table_isolated(table, tenant, other)
