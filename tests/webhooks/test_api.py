"""The webhooks REST API: endpoints (secret once, rotate, test), the delivery log, redeliver,
JSON errors, permissions and shop scoping."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import make_member
from zargar.api import actions as key_actions
from zargar.tenancy.context import tenant_context
from zargar.webhooks import services
from zargar.webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def api_for(tenant, owner) -> APIClient:
    _key, secret = key_actions.create_api_key(tenant, name="Ops", mode="live", created_by=owner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_create_list_rotate_test_and_log(shop, receiver, django_capture_on_commit_callbacks):
    tenant, people = shop
    api = api_for(tenant, people["owner"])
    created = api.post("/api/v1/webhook-endpoints/", {"url": receiver.url + "/in", "events": ["item.created"], "description": "ERP"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["item.created"] and body["enabled"] is True
    listed = api.get("/api/v1/webhook-endpoints/").json()
    (row,) = listed["results"] if isinstance(listed, dict) else listed
    assert row["secret"] is None and row["secret_hint"].endswith(body["secret"][-4:])

    rotated = api.post(f"/api/v1/webhook-endpoints/{body['id']}/rotate-secret/").json()
    assert rotated["secret"] != body["secret"]
    with tenant_context(tenant):
        assert WebhookEndpoint.objects.get().secret == rotated["secret"]

    with django_capture_on_commit_callbacks(execute=True):
        queued = api.post(f"/api/v1/webhook-endpoints/{body['id']}/test/")
    assert queued.status_code == 202 and queued.json()["event_type"] == "webhook.test"
    assert receiver.requests[0].headers["Zargar-Event-Type"] == "webhook.test"
    log = api.get(f"/api/v1/webhook-deliveries/?endpoint={body['id']}").json()
    (delivery,) = log["results"] if isinstance(log, dict) else log
    assert delivery["status"] == "succeeded" and delivery["attempts"][0]["response_status"] == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/webhook-deliveries/{delivery['id']}/redeliver/").status_code == 202
    assert len(receiver.requests) == 2
    assert set(api.get("/api/v1/webhook-endpoints/event-types/").json()) >= {"sale.completed", "item.created"}

    patched = api.patch(f"/api/v1/webhook-endpoints/{body['id']}/", {"enabled": False}, format="json")
    assert patched.status_code == 200 and patched.json()["enabled"] is False
    assert api.delete(f"/api/v1/webhook-endpoints/{body['id']}/").status_code == 204


def test_bad_input_is_a_json_400(shop, receiver):
    tenant, people = shop
    api = api_for(tenant, people["owner"])
    for payload, field in (({"url": "ftp://x.example/", "events": ["*"]}, "url"), ({"url": receiver.url, "events": ["nope.nope"]}, "events"), ({"url": receiver.url, "events": []}, "events")):
        response = api.post("/api/v1/webhook-endpoints/", payload, format="json")
        assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
        assert field in response.json()["error"]["fields"], response.json()
    with tenant_context(tenant):
        assert not WebhookEndpoint.objects.exists()


def test_other_shops_and_lesser_roles_are_refused(shop, other_shop, receiver):
    tenant, people = shop
    other, other_owner = other_shop
    theirs = services.create_endpoint(other, url=receiver.url, events=["*"])
    api = api_for(tenant, people["owner"])
    assert api.get(f"/api/v1/webhook-endpoints/{theirs.pk}/").status_code == 404
    assert api.post(f"/api/v1/webhook-endpoints/{theirs.pk}/test/").status_code == 404
    member_api = APIClient()
    member_api.force_authenticate(people["member"])
    response = member_api.get("/api/v1/webhook-endpoints/", HTTP_X_TENANT=tenant.slug)
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"


@pytest.mark.parametrize("value", ["²", "١٢", "12a", "-1", "99999999999999999999999"])
def test_a_bad_endpoint_filter_lists_nothing_instead_of_failing(shop, receiver, value):
    tenant, people = shop
    api = api_for(tenant, people["owner"])
    services.create_endpoint(tenant, url=receiver.url, events=["*"])
    response = api.get("/api/v1/webhook-deliveries/", {"endpoint": value})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["results"] if isinstance(body, dict) else body) == []


@pytest.mark.parametrize("private_hosts", [True, False])
def test_a_port_out_of_range_is_a_400_not_a_500(shop, settings, private_hosts):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = private_hosts
    tenant, people = shop
    api = api_for(tenant, people["owner"])
    for url in ("https://example.com:99999/in", "https://example.com:0/in"):
        response = api.post("/api/v1/webhook-endpoints/", {"url": url, "events": ["*"]}, format="json")
        assert response.status_code == 400, (url, response.content)
        assert response.json()["error"]["fields"]["url"] == ["Enter a port between 1 and 65535."]
    with tenant_context(tenant):
        assert not WebhookEndpoint.objects.exists()
