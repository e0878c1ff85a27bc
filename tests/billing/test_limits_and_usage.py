"""Limits at the point of action (panel, inventory, API), threshold notices, usage rollup."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from modules.inventory import actions as inventory_actions
from tests.factories import make_member, make_shop, make_user
from zargar.accounts import actions as member_actions
from zargar.api import actions as key_actions
from zargar.billing import actions
from zargar.billing.enforcement import LimitExceeded, check_limit
from zargar.billing.models import DailyUsage, Metric, ThresholdNotice, UsageEvent
from zargar.billing.tasks import rollup_usage
from zargar.billing.usage import monthly_total, record_usage
from zargar.tenancy.context import tenant_context
from zargar.tenancy.models import Membership

from .conftest import make_plan

pytestmark = pytest.mark.django_db


def _shop_with_members(n_members: int, user_limit: int = 10):
    v = make_plan(limits={"users": user_limit})
    shop, owner = make_shop()
    actions.subscribe(shop, v)
    for _ in range(n_members - 1):
        make_member(shop)
    return shop, owner


def test_eleventh_user_refused_in_the_panel_with_upgrade_link(client):
    shop, owner = _shop_with_members(10)  # owner + 9 = 10 of 10
    client.force_login(owner)
    response = client.post("/app/members/invite/", {"email": "eleven@example.com", "role": "member"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your plan allows 10 users" in page and "/app/billing/" in page
    with tenant_context(shop):
        assert Membership.objects.filter(tenant=shop).count() == 10


def test_invitation_accepted_past_the_limit_is_refused(client):
    shop, owner = _shop_with_members(9)
    sent = member_actions.invite_member(shop, actor=owner, email="late@example.com", role="member", base_url="http://testserver")
    make_member(shop)  # the 10th seat is taken meanwhile
    late = make_user("late@example.com")
    client.force_login(late)
    path = sent.url.replace("http://testserver", "")
    response = client.post(path)
    page = response.content.decode()
    assert "Your plan allows 10 users" in page and "/app/billing/" in page
    with tenant_context(shop):
        assert not Membership.objects.filter(tenant=shop, user=late).exists()
    # An operator's per-shop override lifts the limit without changing the plan.
    actions.set_limit_override(shop, Metric.USERS, 11, reason="goodwill")
    client.post(path)
    with tenant_context(shop):
        assert Membership.objects.filter(tenant=shop, user=late).exists()
    assert actions.get_subscription(shop).version.limits.get(metric="users").limit == 10


def test_items_limit_on_inventory_create():
    v = make_plan(limits={"items": 1})
    shop, _owner = make_shop()
    actions.subscribe(shop, v)
    fields = {"name": "Ring", "category": "rings", "karat": 18, "gross_weight": Decimal("5.000"), "net_weight": Decimal("4.500"), "price": Decimal("250.00")}
    inventory_actions.create_item(shop, sku="R-1", **fields)
    with pytest.raises(ValidationError) as exc:
        inventory_actions.create_item(shop, sku="R-2", **fields)
    assert "Your plan allows 1 items" in str(exc.value)


def test_no_subscription_means_no_limit():
    shop, _owner = make_shop()
    check_limit(shop, Metric.USERS, adding=1000)  # nothing raised


def test_threshold_notification_sent_once_per_threshold(django_capture_on_commit_callbacks):
    def check(*args, **kwargs):  # the warnings go through zargar.notifications: emails leave after the commit
        with django_capture_on_commit_callbacks(execute=True):
            check_limit(*args, **kwargs)

    shop, owner = _shop_with_members(2, user_limit=4)  # 2 of 4 = 50 %
    mail.outbox.clear()
    check(shop, Metric.USERS)  # 3 of 4 = 75 % → one warning
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [owner.email] and "75%" in mail.outbox[0].subject
    check(shop, Metric.USERS)  # again at 75 %: nothing new
    make_member(shop)
    assert len(mail.outbox) == 1
    check(shop, Metric.USERS)  # 4 of 4 = 100 % (90 % crossed too): two more, once each
    check(shop, Metric.USERS)
    assert sorted(m.subject.split(" at ")[1].split("%")[0] for m in mail.outbox) == ["100", "75", "90"]
    make_member(shop)  # 4 of 4 (tenancy's add_member itself is not limited)
    with pytest.raises(LimitExceeded):
        check(shop, Metric.USERS, adding=1)
    assert len(mail.outbox) == 3
    with tenant_context(shop):
        assert ThresholdNotice.objects.filter(tenant=shop).count() == 3


def test_api_calls_past_the_monthly_limit_get_429_json():
    v = make_plan(limits={"api_calls_per_month": 3}, modules=["inventory"])
    shop, owner = make_shop()
    actions.subscribe(shop, v)
    _key, secret = key_actions.create_api_key(shop, name="Server", mode="live", created_by=owner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    statuses = [api.get("/api/v1/inventory/items/").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = api.get("/api/v1/inventory/items/")
    assert response.status_code == 429
    body = response.json()
    assert body["error"]["code"] == "limit_exceeded"
    assert "3" in body["error"]["message"] and "/app/billing/" in body["error"]["message"]
    assert monthly_total(shop, Metric.API_CALLS_PER_MONTH) == 3
    # Another shop is not affected.
    other, other_owner = make_shop()
    _k, other_secret = key_actions.create_api_key(other, name="S", mode="live", created_by=other_owner)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {other_secret}")
    assert api.get("/api/v1/me/").status_code != 429


def test_usage_rollup_moves_events_into_daily_history():
    shop, _owner = make_shop()
    other, _ = make_shop()
    now = timezone.now()
    yesterday = now - dt.timedelta(days=1) if now.day > 1 else now
    for _ in range(3):
        record_usage(shop, Metric.API_CALLS_PER_MONTH, at=now)
    record_usage(shop, Metric.API_CALLS_PER_MONTH, 5, at=yesterday)
    record_usage(other, Metric.API_CALLS_PER_MONTH, 7, at=now)
    assert monthly_total(shop, Metric.API_CALLS_PER_MONTH) == 8

    assert rollup_usage.delay().get() == 5  # the Celery task (eager in tests), all shops
    assert monthly_total(shop, Metric.API_CALLS_PER_MONTH) == 8  # same total, now from history
    record_usage(shop, Metric.API_CALLS_PER_MONTH, 2, at=now)
    assert monthly_total(shop, Metric.API_CALLS_PER_MONTH) == 10  # rollup + pending
    with tenant_context(shop):
        days = dict(DailyUsage.objects.filter(tenant=shop).values_list("date", "value"))
        assert sum(days.values()) == 8 and days[now.date()] == (3 if yesterday.date() != now.date() else 8)
        assert UsageEvent.objects.filter(tenant=shop).count() == 1
    rollup_usage.delay().get()
    with tenant_context(shop):
        assert DailyUsage.objects.get(tenant=shop, date=now.date()).value == (5 if yesterday.date() != now.date() else 10)
    assert monthly_total(other, Metric.API_CALLS_PER_MONTH) == 7
