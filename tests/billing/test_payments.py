"""Invoices: gap-free numbers under concurrency, PDF; mock gateway dunning; operator override."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from tests.factories import make_shop
from zargar.billing import actions
from zargar.billing.gateways import MockGateway, PaymentGateway, get_gateway
from zargar.billing.models import Invoice, PaymentAttempt, Subscription, SubscriptionStatusOverride
from zargar.billing.tasks import retry_payments
from zargar.tenancy.context import tenant_context

from .conftest import APRIL_1, make_plan, verified_operator


@pytest.mark.django_db(transaction=True)
def test_invoice_numbers_are_sequential_under_concurrency():
    v = make_plan()
    shops = [make_shop()[0] for _ in range(6)]
    subs = [actions.subscribe(shop, v, today=APRIL_1) for shop in shops]  # 6 invoices already
    barrier = threading.Barrier(len(subs) * 2)
    errors = []

    def worker(sub):
        try:
            barrier.wait(timeout=30)
            actions.create_invoice(sub, [("Extra", 100, False)])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(sub,)) for sub in subs * 2]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    numbers = []
    for shop in shops:
        with tenant_context(shop):
            numbers += list(Invoice.objects.filter(tenant=shop).values_list("number", flat=True))
    year = timezone.now().year
    assert sorted(numbers) == [f"INV-{year}-{n:06d}" for n in range(1, 19)]  # 6 + 12, no gap, no repeat


@pytest.mark.django_db
def test_invoice_number_rolled_back_leaves_no_gap():
    v = make_plan()
    shop, _ = make_shop()
    sub = actions.subscribe(shop, v, today=APRIL_1)
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.create_invoice(sub, [("X", 1, False)])
        raise RuntimeError
    invoice = actions.create_invoice(sub, [("Y", 1, False)])
    assert invoice.number.endswith("000002")


@pytest.mark.django_db
def test_decline_past_due_retries_then_canceled():
    v = make_plan()
    shop, _ = make_shop()
    assert isinstance(get_gateway(), PaymentGateway)
    MockGateway.set_behaviour(shop, "decline")
    t0 = timezone.now()
    sub = actions.subscribe(shop, v, today=APRIL_1)
    assert sub.status == "past_due" and sub.failed_attempts == 1
    assert abs(sub.next_payment_attempt_at - (t0 + dt.timedelta(days=1))) < dt.timedelta(minutes=1)  # schedule [1, 3, 5]

    assert actions.retry_due_payment(shop, now=t0) is None  # not due yet
    MockGateway.set_behaviour(shop, "error")  # gateway failures count as failed attempts too
    second = t0 + dt.timedelta(days=1, hours=1)
    assert actions.retry_due_payment(shop, now=second) is False
    sub = actions.get_subscription(shop)
    assert sub.status == "past_due" and sub.failed_attempts == 2
    assert sub.next_payment_attempt_at == second + dt.timedelta(days=3)
    MockGateway.set_behaviour(shop, "decline")
    third = second + dt.timedelta(days=3, hours=1)
    assert actions.retry_due_payment(shop, now=third) is False
    assert actions.get_subscription(shop).next_payment_attempt_at == third + dt.timedelta(days=5)
    assert actions.retry_due_payment(shop, now=third + dt.timedelta(days=5, hours=1)) is False
    sub = actions.get_subscription(shop)
    assert sub.status == "canceled" and sub.canceled_at is not None
    with tenant_context(shop):
        invoice = Invoice.objects.get(tenant=shop)
        assert invoice.status == "uncollectible"
        assert list(PaymentAttempt.objects.filter(invoice=invoice).order_by("id").values_list("code", flat=True)) == ["card_declined", "gateway_error", "card_declined", "card_declined"]


@pytest.mark.django_db
def test_retry_succeeds_and_reactivates():
    v = make_plan()
    shop, _ = make_shop()
    MockGateway.set_behaviour(shop, "decline")
    actions.subscribe(shop, v, today=APRIL_1)
    MockGateway.set_behaviour(shop, "succeed")
    with tenant_context(shop):
        Subscription.objects.filter(tenant=shop).update(next_payment_attempt_at=timezone.now())
    assert retry_payments.delay().get() == 1  # the Celery task, over all shops
    sub = actions.get_subscription(shop)
    assert sub.status == "active" and sub.failed_attempts == 0


@pytest.mark.django_db
def test_operator_override_wins_until_lifted(client):
    v = make_plan()
    shop, _ = make_shop()
    MockGateway.set_behaviour(shop, "decline")
    actions.subscribe(shop, v, today=APRIL_1)
    operator = verified_operator(client)

    response = client.post(f"/operator/shops/{shop.slug}/billing/override/", {"status": "active", "reason": "paid by bank transfer"})
    assert response.status_code == 302
    sub = actions.get_subscription(shop)
    assert sub.status == "past_due" and sub.effective_status == "active"
    # While the override is in force, dunning leaves the subscription alone.
    later = timezone.now() + dt.timedelta(days=30)
    for _ in range(5):
        assert actions.retry_due_payment(shop, now=later) is None
    assert actions.get_subscription(shop).effective_status == "active"
    page = client.get(f"/operator/shops/{shop.slug}/billing/").content.decode()
    assert "paid by bank transfer" in page and 'data-status="active"' in page

    client.post(f"/operator/shops/{shop.slug}/billing/lift/", {"reason": "transfer bounced"})
    sub = actions.get_subscription(shop)
    assert sub.effective_status == "past_due"
    with tenant_context(shop):
        (row,) = SubscriptionStatusOverride.objects.filter(tenant=shop)
        assert (row.operator_id, row.lifted_by_id, row.lift_reason) == (operator.pk, operator.pk, "transfer bounced") and row.lifted_at
    assert actions.retry_due_payment(shop, now=later) is False  # dunning resumes


@pytest.mark.django_db
def test_owner_billing_page_and_invoice_pdf(client):
    v = make_plan(limits={"users": 10, "items": 100})
    pro = make_plan("pro", "25.00", "250.00")
    shop, owner = make_shop()
    actions.subscribe(shop, v, today=APRIL_1)
    client.force_login(owner)
    page = client.get("/app/billing/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-metric="users"' in html and "1 / 10" in html and "INV-" in html and "Pro" in html
    response = client.post("/app/billing/change/", {"version": pro.pk, "cycle": "monthly", "when": "period_end"})
    assert response.status_code == 302
    assert actions.get_subscription(shop).scheduled_version.plan.code == "pro"
    with tenant_context(shop):
        invoice = Invoice.objects.get(tenant=shop)
    pdf = client.get(f"/app/billing/invoices/{invoice.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    other, other_owner = make_shop()
    client.force_login(other_owner)
    assert client.get(f"/app/billing/invoices/{invoice.pk}.pdf").status_code == 404


@pytest.mark.django_db
def test_operator_plan_edit_creates_a_version(client):
    v = make_plan()
    shop, _ = make_shop()
    actions.subscribe(shop, v, today=APRIL_1)
    verified_operator(client)
    assert client.get("/operator/plans/").status_code == 200
    data = {"code": "basic", "name": "Basic", "description": "", "currency": "USD", "monthly_price": "12.00", "yearly_price": "120.00", "trial_days": 0, "modules": "", "limit-users": 5}
    response = client.post("/operator/plans/basic/", data)
    assert response.status_code == 302
    assert [x.number for x in v.plan.versions.all()] == [2, 1]
    assert str(actions.get_subscription(shop).price) == "10.00"
