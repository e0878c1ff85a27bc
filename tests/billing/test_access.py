"""A subscription that ended closes the shop's panel and API; billing stays open to the owner."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import make_member, make_shop
from zargar.api import actions as key_actions
from zargar.billing import actions
from zargar.billing.access import has_ended, subscription_ended
from zargar.billing.models import Subscription
from zargar.tenancy.context import tenant_context

from .conftest import make_plan, verified_operator

pytestmark = pytest.mark.django_db
ITEMS = "/api/v1/inventory/items/"


def _clients(shop, owner):
    _, secret = key_actions.create_api_key(shop, name="Server", mode="live", created_by=owner)
    panel = Client()
    panel.force_login(owner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return panel, api


def _set(shop, **fields):
    with tenant_context(shop):
        sub = Subscription.objects.get(tenant=shop)
        for name, value in fields.items():
            setattr(sub, name, value)
        sub.save()  # post_save drops the cached access answer


def test_rule_per_status():
    today = dt.date(2026, 6, 10)
    sub = Subscription(status="active", current_period_start=dt.date(2026, 6, 1), current_period_end=dt.date(2026, 7, 1), failed_attempts=0)
    assert not has_ended(None, today=today)  # a shop without billing keeps access
    assert not has_ended(sub, today=today)
    assert not has_ended(sub, status="trialing", today=today)
    assert not has_ended(sub, status="past_due", today=today)  # 9 days into a 14-day grace
    assert has_ended(sub, status="past_due", today=dt.date(2026, 6, 16))
    assert has_ended(sub, status="expired", today=today)
    assert not has_ended(sub, status="canceled", today=today)  # canceled, still in the paid period
    assert has_ended(sub, status="canceled", today=dt.date(2026, 7, 1))
    sub.failed_attempts = 4
    assert has_ended(sub, status="canceled", today=today)  # canceled by dunning: nothing was paid


def test_ended_subscription_closes_panel_and_api_until_the_owner_resubscribes():
    version = make_plan(modules=["inventory"])
    shop, owner = make_shop()
    member = make_member(shop, role="member")
    actions.subscribe(shop, version, today=timezone.now().date())
    panel, api = _clients(shop, owner)
    assert panel.get("/app/").status_code == 200
    assert api.get(ITEMS).status_code == 200

    _set(shop, status="expired")
    page = panel.get("/app/")
    assert page.status_code == 402
    assert "billing/ended.html" in [t.name for t in page.templates]
    assert b'href="/app/billing/"' in page.content  # owners get the way back
    blocked = api.get(ITEMS)
    assert blocked.status_code == 402
    assert blocked.json()["error"]["code"] == "subscription_ended"

    member_client = Client()
    member_client.force_login(member)
    member_page = member_client.get("/app/")
    assert member_page.status_code == 402 and b'href="/app/billing/"' not in member_page.content

    billing = panel.get("/app/billing/")
    assert billing.status_code == 200 and b'data-testid="ended-banner"' in billing.content
    response = panel.post("/app/billing/change/", {"version": version.pk, "cycle": "monthly", "when": "now"})
    assert response.status_code == 302
    sub = actions.get_subscription(shop)
    assert sub.status == "active" and sub.current_period_start == timezone.now().date()
    assert panel.get("/app/").status_code == 200
    assert api.get(ITEMS).status_code == 200


def test_canceled_at_period_end_keeps_access_until_then(settings):
    version = make_plan(modules=["inventory"])
    shop, owner = make_shop()
    today = timezone.now().date()
    actions.subscribe(shop, version, today=today - dt.timedelta(days=10))
    actions.cancel_subscription(shop, at_period_end=False)
    panel, api = _clients(shop, owner)
    assert panel.get("/app/").status_code == 200  # canceled, but the period is paid
    _set(shop, current_period_end=today)
    assert panel.get("/app/").status_code == 402
    assert api.get(ITEMS).status_code == 402


def test_past_due_within_grace_keeps_access_then_closes(settings):
    settings.BILLING_PAST_DUE_GRACE_DAYS = 5
    version = make_plan(modules=["inventory"])
    shop, owner = make_shop()
    today = timezone.now().date()
    actions.subscribe(shop, version, today=today)
    panel, api = _clients(shop, owner)
    _set(shop, status="past_due", current_period_start=today - dt.timedelta(days=5))
    assert panel.get("/app/").status_code == 200 and api.get(ITEMS).status_code == 200
    _set(shop, current_period_start=today - dt.timedelta(days=6))
    assert panel.get("/app/").status_code == 402 and api.get(ITEMS).status_code == 402


def test_access_answer_is_cached_and_dropped_on_change(django_assert_num_queries):
    version = make_plan()
    shop, _ = make_shop()
    actions.subscribe(shop, version, today=timezone.now().date())
    assert subscription_ended(shop) is False
    with django_assert_num_queries(0):
        assert subscription_ended(shop) is False  # from the cache
    _set(shop, status="expired")
    assert subscription_ended(shop) is True
    operator = verified_operator(Client())
    actions.set_status_override(shop, operator=operator, status="active", reason="Goodwill month")
    assert subscription_ended(shop) is False  # the operator's override wins
    actions.lift_status_override(shop, operator=operator, reason="over")
    assert subscription_ended(shop) is True
