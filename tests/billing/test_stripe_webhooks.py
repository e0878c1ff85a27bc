"""Stripe webhooks through dj-stripe's webhook view: signatures, exactly-once, order.

Events are built in Stripe's event format (`{"id": "evt_…", "object": "event", "type", "created",
"data": {"object": …}}`) and posted signed (`Stripe-Signature: t=…,v1=HMAC-SHA256`) to
/billing/stripe/webhook/. Duplicated, concurrent and reordered deliveries must end in the same
state as one clean delivery of each event.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from djstripe.models import Event as DjstripeEvent
from djstripe.models import WebhookEventTrigger

from tests.factories import make_shop
from zargar.billing import actions
from zargar.billing.models import Invoice, PaymentAttempt, StripeCustomer, StripeEvent, Subscription
from zargar.tenancy.context import tenant_context

from .conftest import deliver, make_plan, verified_operator

T0 = int(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC).timestamp())
DAY = 86400
P1 = (T0, int(dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC).timestamp()))
P2 = (P1[1], int(dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC).timestamp()))


def event(evt_id: str, type_: str, created: int, obj: dict) -> dict:
    return {
        "id": evt_id, "object": "event", "api_version": "2026-05-27.dahlia", "created": created, "livemode": False,
        "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None}, "type": type_, "data": {"object": obj},
    }


def sub_obj(status: str, period: tuple[int, int], metadata: dict, *, cancel_at_period_end=False, canceled_at=None) -> dict:
    return {
        "id": "sub_A", "object": "subscription", "customer": "cus_A", "status": status, "metadata": metadata,
        "cancel_at_period_end": cancel_at_period_end, "canceled_at": canceled_at, "trial_end": None,
        "items": {"object": "list", "data": [{
            "id": "si_A", "object": "subscription_item", "current_period_start": period[0], "current_period_end": period[1],
            "price": {"id": "price_A", "object": "price", "recurring": {"interval": "month"}},
        }]},
    }


def invoice_obj(in_id: str, status: str, period: tuple[int, int], metadata: dict, *, reason: str, attempt_count=1, paid_at=None) -> dict:
    return {
        "id": in_id, "object": "invoice", "customer": "cus_A", "status": status, "total": 1000, "currency": "usd",
        "billing_reason": reason, "attempt_count": attempt_count, "next_payment_attempt": None,
        "status_transitions": {"paid_at": paid_at},
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": "sub_A", "metadata": metadata}},
        "lines": {"object": "list", "data": [{"id": f"il_{in_id}", "object": "line_item", "amount": 1000, "description": "1 × Zargar Basic (at $10.00 / month)", "period": {"start": period[0], "end": period[1]}}]},
    }


def lifecycle(version) -> list[dict]:
    """A Stripe-billed subscription's life: checkout, first payment, a failed renewal then paid,
    cancellation at period end, and the end."""
    md = {"zargar_plan_version": str(version.pk), "zargar_cycle": "monthly"}
    checkout = {"id": "cs_A", "object": "checkout.session", "mode": "subscription", "customer": "cus_A", "subscription": "sub_A", "payment_status": "paid", "metadata": md, "client_reference_id": None}
    return [
        event("evt_1", "checkout.session.completed", T0, checkout),
        event("evt_2", "customer.subscription.created", T0, sub_obj("active", P1, md)),
        event("evt_3", "invoice.paid", T0 + 1, invoice_obj("in_1", "paid", P1, md, reason="subscription_create", paid_at=T0 + 1)),
        event("evt_4", "invoice.payment_failed", P2[0] + 60, invoice_obj("in_2", "open", P2, md, reason="subscription_cycle")),
        event("evt_5", "customer.subscription.updated", P2[0] + 61, sub_obj("past_due", P2, md)),
        event("evt_6", "invoice.paid", P2[0] + DAY, invoice_obj("in_2", "paid", P2, md, reason="subscription_cycle", attempt_count=2, paid_at=P2[0] + DAY)),
        event("evt_7", "customer.subscription.updated", P2[0] + DAY + 1, sub_obj("active", P2, md)),
        event("evt_8", "customer.subscription.updated", P2[0] + 10 * DAY, sub_obj("active", P2, md, cancel_at_period_end=True)),
        event("evt_9", "customer.subscription.deleted", P2[1], sub_obj("canceled", P2, md, cancel_at_period_end=True, canceled_at=P2[1])),
    ]


def stripe_shop():
    shop, owner = make_shop()
    with tenant_context(shop):
        StripeCustomer.objects.create(customer_id="cus_A", tenant=shop)
    return shop, owner


def snapshot(shop) -> dict:
    with tenant_context(shop):
        sub = Subscription.objects.get(tenant=shop)
        invoices = sorted((i.gateway_invoice_id, i.status, i.total_minor, i.period_start, i.period_end) for i in Invoice.objects.filter(tenant=shop))
        attempts = sorted((a.invoice.gateway_invoice_id, a.succeeded) for a in PaymentAttempt.objects.filter(tenant=shop).select_related("invoice"))
        lines = Invoice.objects.filter(tenant=shop).values_list("lines__amount_minor", flat=True).count()
    return {
        "status": sub.status, "period": (sub.current_period_start, sub.current_period_end), "cycle": sub.cycle, "version": sub.version_id,
        "cancel_at_period_end": sub.cancel_at_period_end, "canceled_at": sub.canceled_at, "failed_attempts": sub.failed_attempts,
        "stripe_id": sub.gateway_subscription_id, "synced": sub.gateway_synced_at, "invoices": invoices, "attempts": attempts, "lines": lines,
        "events": StripeEvent.objects.count(),
    }


@pytest.mark.django_db
def test_bad_signature_and_old_timestamp_are_refused_with_400(client, stripe_settings):
    version = make_plan()
    shop, _ = stripe_shop()
    first = lifecycle(version)[1]
    assert deliver(client, first, secret="whsec_someoneElsesSecret000000000").status_code == 400
    assert deliver(client, first, timestamp=int(time.time()) - 301).status_code == 400
    response = client.post("/billing/stripe/webhook/", data="{}", content_type="application/json")  # no signature at all
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0
    with tenant_context(shop):
        assert not Subscription.objects.filter(tenant=shop).exists()
    assert deliver(client, first, timestamp=int(time.time()) - 290).status_code == 200  # inside the 300 s tolerance
    assert StripeEvent.objects.get().event_id == "evt_2"
    trigger = WebhookEventTrigger.objects.filter(valid=True).get()
    assert trigger.processed and trigger.event_id == "evt_2"  # dj-stripe's own records of the delivery
    assert DjstripeEvent.objects.filter(id="evt_2", type="customer.subscription.created").exists()


@pytest.mark.django_db
def test_clean_delivery_builds_the_subscription_and_its_invoices(client, stripe_settings):
    version = make_plan(modules=[])
    shop, _ = stripe_shop()
    events = lifecycle(version)
    for e in events[:3]:
        assert deliver(client, e).status_code == 200
    state = snapshot(shop)
    assert state["status"] == "active" and state["stripe_id"] == "sub_A" and state["version"] == version.pk
    assert state["period"] == (dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    assert state["invoices"] == [("in_1", "paid", 1000, dt.date(2026, 3, 1), dt.date(2026, 4, 1))]
    for e in events[3:5]:
        deliver(client, e)
    state = snapshot(shop)
    assert state["status"] == "past_due" and state["failed_attempts"] == 1
    assert ("in_2", "open", 1000, dt.date(2026, 4, 1), dt.date(2026, 5, 1)) in state["invoices"]
    for e in events[5:]:
        deliver(client, e)
    state = snapshot(shop)
    assert state["status"] == "canceled" and state["cancel_at_period_end"] and state["failed_attempts"] == 0
    assert [i[1] for i in state["invoices"]] == ["paid", "paid"]
    assert state["attempts"] == [("in_1", True), ("in_2", False), ("in_2", True)]
    assert StripeEvent.objects.filter(outcome="applied").count() == 9
    # Zargar's renewal and dunning leave Stripe-billed subscriptions to Stripe
    assert actions.renew(shop, today=dt.date(2026, 12, 1)) is None


def _clean_state(client, version):
    shop, _ = stripe_shop()
    for e in lifecycle(version):
        assert deliver(client, e).status_code == 200
    state = snapshot(shop)
    with tenant_context(shop):
        Invoice.objects.filter(tenant=shop).delete()
        Subscription.objects.filter(tenant=shop).delete()
        StripeCustomer.objects.filter(tenant=shop).delete()
    StripeEvent.objects.all().delete()
    DjstripeEvent.objects.all().delete()
    return state


@pytest.mark.django_db
def test_duplicated_and_reordered_deliveries_end_like_one_clean_delivery(client, stripe_settings):
    version = make_plan()
    clean = _clean_state(client, version)

    shop, _ = stripe_shop()
    for e in reversed(lifecycle(version)):
        assert deliver(client, e).status_code == 200
    reversed_state = snapshot(shop)
    assert StripeEvent.objects.filter(outcome="stale").exists()  # older events did not overwrite newer state
    for key in clean:
        assert reversed_state[key] == clean[key], key
    with tenant_context(shop):
        Invoice.objects.filter(tenant=shop).delete()
        Subscription.objects.filter(tenant=shop).delete()
        StripeCustomer.objects.filter(tenant=shop).delete()
    StripeEvent.objects.all().delete()
    DjstripeEvent.objects.all().delete()

    shop, _ = stripe_shop()
    shuffled = lifecycle(version) * 3  # every event three times, in a random order
    random.Random(4).shuffle(shuffled)
    for e in shuffled:
        assert deliver(client, e).status_code == 200
    assert snapshot(shop) == clean
    assert StripeEvent.objects.count() == 9


@pytest.mark.django_db
def test_an_invoice_before_its_subscription_is_deferred_then_applied(client, stripe_settings):
    version = make_plan()
    shop, _ = stripe_shop()
    paid = lifecycle(version)[2]
    del paid["data"]["object"]["parent"]["subscription_details"]["metadata"]  # nothing to create the subscription from
    response = deliver(client, paid)
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_ready"
    assert not StripeEvent.objects.exists()
    deliver(client, lifecycle(version)[1])
    assert deliver(client, paid).status_code == 200  # Stripe's retry
    assert snapshot(shop)["invoices"][0][:2] == ("in_1", "paid")


@pytest.mark.django_db
def test_operator_override_still_wins_over_webhooks(client, stripe_settings):
    version = make_plan()
    shop, owner = stripe_shop()
    events = lifecycle(version)
    for e in events[:3]:
        deliver(client, e)
    operator = verified_operator(Client())
    actions.set_status_override(shop, operator=operator, status="active", reason="Paid by bank transfer")
    deliver(client, events[-1])  # Stripe says canceled
    sub = actions.get_subscription(shop)
    assert sub.status == "canceled" and sub.effective_status == "active"
    shop_client = Client()
    shop_client.force_login(owner)
    assert shop_client.get("/app/").status_code == 200  # the override keeps the shop open


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_deliveries_apply_once(stripe_settings):
    version = make_plan()
    shop, _ = stripe_shop()
    events = lifecycle(version)
    deliver(Client(), events[1])
    failed = events[3]
    statuses, errors = [], []
    barrier = threading.Barrier(6)

    def worker(e):
        try:
            barrier.wait(timeout=30)
            statuses.append(deliver(Client(), e).status_code)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    # the same failed-payment event five times at once, plus the later recovery event
    threads = [threading.Thread(target=worker, args=(e,)) for e in [failed] * 5 + [events[6]]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and statuses == [200] * 6
    state = snapshot(shop)
    assert state["attempts"] == [("in_2", False)]  # one attempt recorded, not five
    assert StripeEvent.objects.filter(event_id="evt_4").count() == 1
    assert state["status"] == "active"  # the newer recovery event wins whatever the order
    assert state["invoices"] == [("in_2", "open", 1000, dt.date(2026, 4, 1), dt.date(2026, 5, 1))]


@pytest.mark.django_db
@pytest.mark.parametrize("ref", ["²", "١٢", "99999999999999999999999"])
def test_odd_ids_in_a_signed_payload_are_ignored_not_a_500(client, stripe_settings, ref):
    """`client_reference_id` / metadata ids that are digits to `str.isdigit` but not to `int()`
    (or overflow a bigint) find no shop or plan version: the event is recorded as ignored."""
    make_plan()
    checkout = {"id": "cs_X", "object": "checkout.session", "mode": "subscription", "customer": "cus_unknown", "subscription": "sub_X",
                "payment_status": "paid", "metadata": {"zargar_plan_version": ref}, "client_reference_id": ref}
    assert deliver(client, event("evt_odd", "checkout.session.completed", T0, checkout)).status_code == 200
    assert StripeEvent.objects.get(event_id="evt_odd").outcome == "ignored"
    shop, _ = stripe_shop()
    sub = sub_obj("active", P1, {"zargar_plan_version": ref})
    assert deliver(client, event("evt_odd2", "customer.subscription.created", T0, sub)).status_code == 200
    assert StripeEvent.objects.get(event_id="evt_odd2").outcome == "ignored"
    with tenant_context(shop):
        assert not Subscription.objects.filter(tenant=shop).exists()
