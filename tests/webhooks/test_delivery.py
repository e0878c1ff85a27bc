"""Webhook deliveries against a real local HTTP receiver: signing, success, retries on the
backoff schedule under a frozen clock, giving up, auto-disabling with a notification."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from modules.inventory import actions as inventory_actions
from zargar.notifications.models import Notification
from zargar.tenancy.context import tenant_context
from zargar.webhooks import schedule, services
from zargar.webhooks.bus import publish
from zargar.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from zargar.webhooks.tasks import dispatch_due

from .conftest import T0

pytestmark = pytest.mark.django_db

SNIPPET = Path(settings.BASE_DIR) / "docs" / "snippets" / "verify_webhook.py"


def load_snippet():
    """The receiver-side verifier of docs/webhooks.md, loaded on its own (standard library only)."""
    spec = importlib.util.spec_from_file_location("verify_webhook_snippet", SNIPPET)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def endpoint_for(tenant, url, events=("item.created",)):
    return services.create_endpoint(tenant, url=url, events=list(events), description="ERP")


def make_item(tenant, sku="W-1"):
    with tenant_context(tenant):
        return inventory_actions.create_item(
            tenant, sku=sku, name=f"Ring {sku}", category="rings", karat=18,
            gross_weight=Decimal("5.000"), net_weight=Decimal("4.500"), price=Decimal("250.00"),
        )


def deliveries(tenant, **filters):
    with tenant_context(tenant):
        return list(WebhookDelivery.objects.filter(tenant=tenant, **filters).order_by("pk"))


def test_snippet_uses_only_the_standard_library_and_is_the_one_documented():
    source = SNIPPET.read_text()
    imports = {line.split()[1].split(".")[0] for line in source.splitlines() if line.startswith(("import ", "from "))}
    assert imports <= {"hashlib", "hmac", "json", "time"}
    assert source.strip() in (Path(settings.BASE_DIR) / "docs" / "webhooks.md").read_text()


def test_event_is_delivered_signed_and_logged(shop, receiver, django_capture_on_commit_callbacks, clock):
    tenant, _people = shop
    endpoint = endpoint_for(tenant, receiver.url + "/hooks")
    with django_capture_on_commit_callbacks(execute=True):
        item = make_item(tenant)

    (request,) = receiver.requests
    assert request.method == "POST" and request.path == "/hooks"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Zargar-Event-Type"] == "item.created"
    verified = load_snippet().verify(request.body, request.headers["Zargar-Signature"], endpoint.secret, now=T0.timestamp())
    assert verified["type"] == "item.created" and verified["shop"]["slug"] == tenant.slug
    assert verified["data"]["id"] == item.pk and verified["data"]["sku"] == "W-1" and verified["data"]["price"] == "250.00"
    assert request.headers["Zargar-Signature"].startswith(f"t={int(T0.timestamp())},v1=")

    (delivery,) = deliveries(tenant)
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempt_count == 1 and delivery.last_status_code == 200
    with tenant_context(tenant):
        (attempt,) = WebhookAttempt.objects.filter(delivery=delivery)
    assert attempt.response_status == 200 and attempt.response_body == "ok" and attempt.succeeded
    assert attempt.request_body.encode() == request.body
    assert attempt.request_headers["Zargar-Signature"] == request.headers["Zargar-Signature"]
    assert attempt.duration_ms >= 0


def test_snippet_refuses_tampering_wrong_secret_and_old_timestamps(shop, receiver, django_capture_on_commit_callbacks, clock):
    tenant, _ = shop
    endpoint = endpoint_for(tenant, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_item(tenant)
    (request,) = receiver.requests
    snippet = load_snippet()
    header = request.headers["Zargar-Signature"]
    with pytest.raises(snippet.SignatureError):
        snippet.verify(request.body.replace(b"W-1", b"W-2"), header, endpoint.secret, now=T0.timestamp())
    with pytest.raises(snippet.SignatureError):
        snippet.verify(request.body, header, "whsec_wrong", now=T0.timestamp())
    with pytest.raises(snippet.SignatureError):
        snippet.verify(request.body, header, endpoint.secret, now=T0.timestamp() + 301)
    with pytest.raises(snippet.SignatureError):
        snippet.verify(request.body, "v1=abc", endpoint.secret, now=T0.timestamp())


def test_only_subscribed_enabled_endpoints_of_the_shop_receive(shop, other_shop, receiver, django_capture_on_commit_callbacks):
    tenant, _ = shop
    other, _owner = other_shop
    endpoint_for(tenant, receiver.url + "/items", events=["item.created"])
    endpoint_for(tenant, receiver.url + "/customers", events=["customer.created"])
    endpoint_for(tenant, receiver.url + "/all", events=["*"])
    off = endpoint_for(tenant, receiver.url + "/off", events=["*"])
    services.update_endpoint(tenant, off, url=off.url, events=["*"], enabled=False)
    endpoint_for(other, receiver.url + "/other", events=["*"])
    with django_capture_on_commit_callbacks(execute=True):
        make_item(tenant)
    assert sorted(r.path for r in receiver.requests) == ["/all", "/items"]


def test_a_rolled_back_action_sends_nothing(shop, receiver, django_capture_on_commit_callbacks):
    tenant, _ = shop
    endpoint_for(tenant, receiver.url)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                make_item(tenant)
                raise RuntimeError("the sale failed after the item")
        except RuntimeError:
            pass
    assert callbacks == [] and receiver.requests == []
    with tenant_context(tenant):
        assert not WebhookEvent.objects.exists()


def test_retry_schedule_is_exponential_and_capped():
    minutes = [schedule.retry_delay(n) / dt.timedelta(minutes=1) for n in range(1, 14)]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 256, 360, 360, 360, 360]
    assert schedule.next_attempt_at(3, T0, max_attempts=3) is None
    assert schedule.next_attempt_at(2, T0, max_attempts=3) == T0 + dt.timedelta(minutes=2)
    assert schedule.schedule(4) == [dt.timedelta(0), dt.timedelta(minutes=1), dt.timedelta(minutes=3), dt.timedelta(minutes=7)]
    with pytest.raises(ValueError):
        schedule.retry_delay(0)


def test_failures_retry_on_the_schedule_under_a_frozen_clock(shop, receiver, django_capture_on_commit_callbacks, clock):
    tenant, _ = shop
    receiver.script = [(500, "boom"), (503, "busy"), (200, '{"ok": true}')]
    endpoint_for(tenant, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_item(tenant)
    (delivery,) = deliveries(tenant)
    assert delivery.status == DeliveryStatus.RETRYING and delivery.attempt_count == 1
    assert delivery.next_attempt_at == T0 + dt.timedelta(minutes=1)

    def sweep():
        with django_capture_on_commit_callbacks(execute=True):
            dispatch_due.delay(tenant.pk)

    clock.move_to(T0 + dt.timedelta(seconds=59))
    sweep()
    assert len(receiver.requests) == 1  # not due yet

    clock.move_to(T0 + dt.timedelta(seconds=61))
    sweep()
    (delivery,) = deliveries(tenant)
    assert len(receiver.requests) == 2 and delivery.attempt_count == 2 and delivery.last_status_code == 503
    assert delivery.next_attempt_at == T0 + dt.timedelta(seconds=61) + dt.timedelta(minutes=2)

    clock.move_to(T0 + dt.timedelta(seconds=61 + 119))
    sweep()
    assert len(receiver.requests) == 2
    clock.move_to(T0 + dt.timedelta(seconds=61 + 121))
    sweep()
    (delivery,) = deliveries(tenant)
    assert len(receiver.requests) == 3 and delivery.status == DeliveryStatus.SUCCEEDED
    with tenant_context(tenant):
        assert list(WebhookAttempt.objects.filter(delivery=delivery).values_list("number", "response_status")) == [(1, 500), (2, 503), (3, 200)]
        assert WebhookEndpoint.objects.get().consecutive_failures == 0
    # The same delivery is never attempted again by later sweeps.
    clock.move_to(T0 + dt.timedelta(hours=7))
    sweep()
    assert len(receiver.requests) == 3


def test_gives_up_after_max_attempts(shop, receiver, settings, django_capture_on_commit_callbacks, clock):
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    tenant, _ = shop
    receiver.script = [(500, "down")]
    endpoint_for(tenant, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_item(tenant)
    for offset in (dt.timedelta(minutes=1), dt.timedelta(minutes=3), dt.timedelta(hours=10)):
        clock.move_to(T0 + offset)
        with django_capture_on_commit_callbacks(execute=True):
            dispatch_due.delay(tenant.pk)
    (delivery,) = deliveries(tenant)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempt_count == 3 and delivery.next_attempt_at is None
    assert len(receiver.requests) == 3


def test_unreachable_endpoint_is_recorded_as_an_error(shop, django_capture_on_commit_callbacks, clock):
    from tests.local_peers import free_port

    tenant, _ = shop
    endpoint_for(tenant, f"http://127.0.0.1:{free_port()}/nobody")
    with django_capture_on_commit_callbacks(execute=True):
        make_item(tenant)
    (delivery,) = deliveries(tenant)
    with tenant_context(tenant):
        (attempt,) = WebhookAttempt.objects.filter(delivery=delivery)
    assert attempt.response_status is None and "ConnectionError" in attempt.error and delivery.status == DeliveryStatus.RETRYING


def test_endpoint_disabled_after_consecutive_failures_and_owners_notified(shop, receiver, settings, django_capture_on_commit_callbacks, clock):
    settings.WEBHOOKS_DISABLE_AFTER_FAILURES = 3
    tenant, people = shop
    receiver.script = [(500, "down")]
    endpoint = endpoint_for(tenant, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_item(tenant, "W-1")
        make_item(tenant, "W-2")
    assert len(receiver.requests) == 2
    clock.move_to(T0 + dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due.delay(tenant.pk)  # third failure in a row: disabled; the other retry is cancelled
    assert len(receiver.requests) == 3
    with tenant_context(tenant):
        endpoint.refresh_from_db()
        assert not endpoint.enabled and endpoint.consecutive_failures == 3 and endpoint.disabled_at == T0 + dt.timedelta(minutes=1)
        statuses = sorted(WebhookDelivery.objects.values_list("status", flat=True))
        assert statuses == [DeliveryStatus.CANCELLED, DeliveryStatus.CANCELLED]
        notes = list(Notification.objects.filter(type_key="webhooks.endpoint_disabled"))
    assert [n.recipient for n in notes] == [people["owner"]]
    assert endpoint.url in notes[0].title and notes[0].url == f"/app/webhooks/{endpoint.pk}/"
    # Nothing more goes out while it is disabled.
    with django_capture_on_commit_callbacks(execute=True):
        make_item(tenant, "W-3")
    clock.move_to(T0 + dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        dispatch_due.delay(tenant.pk)
    assert len(receiver.requests) == 3
    # Enabling it again resets the count.
    services.update_endpoint(tenant, endpoint, url=endpoint.url, events=endpoint.events, enabled=True)
    with tenant_context(tenant):
        endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.consecutive_failures == 0 and endpoint.disabled_reason == ""


def test_rotation_signs_with_both_secrets_during_the_grace_period(shop, receiver, django_capture_on_commit_callbacks, clock):
    tenant, _ = shop
    endpoint = endpoint_for(tenant, receiver.url)
    old = endpoint.secret
    new = services.rotate_secret(tenant, endpoint)
    assert new != old and new.startswith("whsec_")
    snippet = load_snippet()
    with django_capture_on_commit_callbacks(execute=True):
        make_item(tenant, "R-1")
    header = receiver.requests[-1].headers["Zargar-Signature"]
    assert header.count("v1=") == 2
    for secret in (old, new):
        snippet.verify(receiver.requests[-1].body, header, secret, now=T0.timestamp())
    clock.move_to(T0 + dt.timedelta(hours=25))
    with django_capture_on_commit_callbacks(execute=True):
        make_item(tenant, "R-2")
    header = receiver.requests[-1].headers["Zargar-Signature"]
    assert header.count("v1=") == 1
    snippet.verify(receiver.requests[-1].body, header, new, now=(T0 + dt.timedelta(hours=25)).timestamp())
    with pytest.raises(snippet.SignatureError):
        snippet.verify(receiver.requests[-1].body, header, old, now=(T0 + dt.timedelta(hours=25)).timestamp())


def test_publish_without_endpoints_stores_nothing(shop):
    tenant, _ = shop
    with tenant_context(tenant):
        assert publish(tenant, "item.created", {"id": 1}) is None
        assert not WebhookEvent.objects.exists()


def test_private_hosts_refused_when_not_allowed(shop, settings):
    from django.core.exceptions import ValidationError

    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = False
    tenant, _ = shop
    for url in ("http://127.0.0.1:9/x", "http://10.0.0.5/x", "http://localhost/x", "ftp://example.com/x"):
        with pytest.raises(ValidationError):
            services.create_endpoint(tenant, url=url, events=["*"])
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    with pytest.raises(ValidationError):
        services.validate_url("http://93.184.216.34/x")


def test_unknown_event_types_are_refused(shop, receiver):
    from django.core.exceptions import ValidationError

    tenant, _ = shop
    with pytest.raises(ValidationError):
        services.create_endpoint(tenant, url=receiver.url, events=["sale.exploded"])
    with pytest.raises(ValidationError):
        services.create_endpoint(tenant, url=receiver.url, events=[])


def test_payload_is_json_of_the_event(shop, receiver, django_capture_on_commit_callbacks):
    tenant, _ = shop
    endpoint_for(tenant, receiver.url, events=["customer.created"])
    from modules.customers.actions import create_customer

    with django_capture_on_commit_callbacks(execute=True):
        with tenant_context(tenant):
            customer = create_customer(tenant, full_name="Sara Ahmadi", email="sara@example.com")
    body = json.loads(receiver.requests[0].body)
    assert body["type"] == "customer.created" and body["data"]["id"] == customer.pk and body["data"]["full_name"] == "Sara Ahmadi"
    assert "tenant_id" not in body["data"] and body["id"].startswith("evt_")


def test_sales_and_voids_reach_the_endpoint_and_admins_hear_of_the_void(receiver, django_capture_on_commit_callbacks):
    from modules.pos import actions as pos
    from modules.pos.tests.helpers import make_pos_shop, make_sellable_piece, sell

    shop = make_pos_shop("Sale Hooks")
    services.create_endpoint(shop.tenant, url=receiver.url, events=["sale.completed", "sale.voided"])
    ring = make_sellable_piece(shop, "R-1")
    with django_capture_on_commit_callbacks(execute=True):
        sale = sell(shop, [ring])
    completed = receiver.requests[0].json()
    assert completed["type"] == "sale.completed" and completed["data"]["number"] == sale.number
    assert [line["sku"] for line in completed["data"]["lines"]] == ["R-1"]
    assert completed["data"]["total"] == str(sale.total) and completed["data"]["payments"][0]["method"] == "cash"

    with django_capture_on_commit_callbacks(execute=True):
        pos.void_sale(shop.tenant, sale, actor=shop.owner, reason="Wrong ring")
    voided = receiver.requests[1].json()
    assert voided["type"] == "sale.voided" and voided["data"]["sale"]["number"] == sale.number
    assert voided["data"]["reason"] == "Wrong ring" and voided["data"]["is_void"] is True
    with tenant_context(shop.tenant):
        notes = list(Notification.objects.filter(type_key="pos.sale_voided").order_by("recipient_id"))
    assert sorted(n.recipient_id for n in notes) == sorted([shop.owner.pk, shop.admin.pk])
    assert notes[0].title == f"Sale {sale.number} voided" and "Wrong ring" in notes[0].body
    assert notes[0].url == f"/app/pos/sales/{sale.pk}/"


def test_log_retention_keeps_recent_and_unfinished_events(shop, receiver, django_capture_on_commit_callbacks, clock):
    from zargar.webhooks.tasks import purge_old

    tenant, _ = shop
    receiver.script = [(200, "ok"), (500, "down")]
    endpoint_for(tenant, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        make_item(tenant, "OLD-1")  # succeeds
        make_item(tenant, "OLD-2")  # fails: still retrying
    clock.move_to(T0 + dt.timedelta(days=29))
    with django_capture_on_commit_callbacks(execute=True):
        make_item(tenant, "NEW-1")
    clock.move_to(T0 + dt.timedelta(days=31))
    assert purge_old.delay(tenant.pk).get() == 1
    with tenant_context(tenant):
        kept = sorted(WebhookEvent.objects.values_list("payload__sku", flat=True))
        assert kept == ["NEW-1", "OLD-2"]
        assert WebhookAttempt.objects.filter(delivery__event__payload__sku="OLD-1").count() == 0


def test_the_minute_sweep_wakes_only_shops_with_a_retry_due(shop, other_shop, receiver, django_capture_on_commit_callbacks, clock):
    from zargar.webhooks.models import RetryDue
    from zargar.webhooks.tasks import dispatch_due_all_shops

    tenant, _ = shop
    other, _owner = other_shop
    receiver.script = [(500, "down"), (500, "down"), (200, "ok")]
    endpoint_for(tenant, receiver.url)
    endpoint_for(other, receiver.url + "/fine", events=["customer.created"])
    with django_capture_on_commit_callbacks(execute=True):
        make_item(tenant)
    assert list(RetryDue.objects.values_list("shop_id", "due_at")) == [(tenant.pk, T0 + dt.timedelta(minutes=1))]

    def sweep():
        with django_capture_on_commit_callbacks(execute=True):
            return dispatch_due_all_shops.delay().get()

    clock.move_to(T0 + dt.timedelta(seconds=30))
    assert sweep() == 0 and len(receiver.requests) == 1
    clock.move_to(T0 + dt.timedelta(seconds=61))
    assert sweep() == 1 and len(receiver.requests) == 2
    assert list(RetryDue.objects.values_list("shop_id", "due_at")) == [(tenant.pk, T0 + dt.timedelta(seconds=61 + 120))]
    clock.move_to(T0 + dt.timedelta(seconds=61 + 121))
    assert sweep() == 1 and len(receiver.requests) == 3
    assert not RetryDue.objects.exists() and deliveries(tenant)[0].status == DeliveryStatus.SUCCEEDED
    assert sweep() == 0
    # The hourly safety net wakes every active shop whatever the index says.
    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch_due_all_shops.delay(every_shop=True).get() >= 2
