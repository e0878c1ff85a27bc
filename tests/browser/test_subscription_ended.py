"""Issue 4: a shop whose subscription ended sees the "subscription ended" page (Persian, dark, RTL),
follows its link to billing, and subscribes again. Screenshots: test-artifacts/screens/billing-*.png."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.factories import PASSWORD, make_shop, make_user
from zargar.billing import actions as billing
from zargar.billing.models import Subscription
from zargar.tenancy.context import tenant_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")


def test_owner_sees_ended_page_in_persian_and_resubscribes(live_server, page, screenshot):
    base = live_server.url
    owner = make_user("owner@golden-rose.example", language="fa", theme="dark")
    shop, _ = make_shop("Golden Rose Jewelry", owner=owner)
    basic = billing.create_plan(code="basic", name="Basic", monthly_price="29.00", yearly_price="290.00").current_version
    billing.subscribe(shop, basic, today=timezone.now().date())
    with tenant_context(shop):
        sub = Subscription.objects.get(tenant=shop)
        sub.status = "expired"
        sub.save()

    _sign_in(page, base, owner.email)
    response = page.goto(f"{base}/app/")
    assert response.status == 402
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "dark" in (page.locator("html").get_attribute("class") or "")
    ended = page.get_by_test_id("subscription-ended")
    assert "اشتراک این فروشگاه به پایان رسیده است" in ended.inner_text()
    screenshot("billing-01-ended-fa-dark")

    ended.get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/app/billing/")
    assert page.get_by_test_id("ended-banner").is_visible()
    screenshot("billing-02-billing-fa-dark")

    page.get_by_role("button", name="اشتراک", exact=True).first.click()  # "Subscribe" (mock gateway)
    page.wait_for_load_state("networkidle")
    assert billing.get_subscription(shop).status == "active"
    response = page.goto(f"{base}/app/")
    assert response.status == 200
    screenshot("billing-03-open-again-fa-dark")
