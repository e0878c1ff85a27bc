"""In Chromium: the header bell's unread badge updates live by HTMX polling and clears with
"Mark all as read"; an owner adds a webhook endpoint (secret shown once), sends a test event to
a local receiver and reads the attempt in the delivery log; the pages in Persian (RTL) and dark.
Screenshots: test-artifacts/screens/webhooks-*.png and notifications-*.png."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import browser_type_launch_args, screenshot  # noqa: F401  (fixtures)
from tests.factories import PASSWORD, make_shop
from tests.local_peers import HttpReceiver
from zargar.notifications.services import notify
from zargar.notifications.types import USAGE_THRESHOLD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THRESHOLD = {"shop": "Bell Gold", "metric": "items", "value": 8, "limit": 10, "pct": 80}


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")


def test_badge_polls_and_owner_sends_a_test_webhook(live_server, page, screenshot, settings):  # noqa: F811
    settings.NOTIFICATIONS_POLL_SECONDS = 1
    base = live_server.url
    tenant, owner = make_shop("Bell Gold")
    notify(tenant, USAGE_THRESHOLD, THRESHOLD, url="/app/billing/")
    receiver = HttpReceiver(script=[(200, '{"received": true}')]).start()
    try:
        _log_in(page, base, owner.email)
        page.goto(f"{base}/app/")
        badge = page.locator("[data-testid=notification-badge]")
        assert badge.get_attribute("data-unread") == "1"
        notify(tenant, USAGE_THRESHOLD, {**THRESHOLD, "pct": 90})  # arrives while the page is open
        page.wait_for_function("document.querySelector('[data-testid=notification-badge]').dataset.unread === '2'", timeout=10000)
        screenshot("notifications-01-badge")

        badge.click()
        page.wait_for_load_state("networkidle")
        assert "Items at 90% of your plan" in page.content()
        screenshot("notifications-02-list")
        page.get_by_test_id("mark-all-read").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-testid=notification-badge]").get_attribute("data-unread") == "0"

        page.goto(f"{base}/app/webhooks/new/")
        page.fill("input[name=url]", receiver.url + "/zargar")
        page.fill("input[name=description]", "Accounting sync")
        page.get_by_text("item.created", exact=True).click()
        page.get_by_text("sale.completed", exact=True).click()
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state("networkidle")
        secret = page.locator("#signing-secret").inner_text()
        assert re.fullmatch(r"whsec_[A-Za-z0-9_-]{43}", secret)
        screenshot("webhooks-01-secret-once")

        page.get_by_text("I have copied it").click()
        page.wait_for_load_state("networkidle")
        assert secret not in page.content()
        page.get_by_test_id("send-test").click()
        page.wait_for_load_state("networkidle")
        page.wait_for_selector("[data-testid=attempt]", timeout=10000)
        assert len(receiver.requests) == 1 and receiver.requests[0].path == "/zargar"
        assert '{"received": true}' in page.content() or "received" in page.content()
        page.locator("[data-testid=attempt] summary").first.click()
        screenshot("webhooks-02-delivery-log")

        owner.language, owner.theme = "fa", "dark"
        owner.save(update_fields=["language", "theme"])
        page.goto(f"{base}/app/webhooks/")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert "dark" in (page.locator("html").get_attribute("class") or "")
        assert "وب‌هوک‌ها" in page.content()
        screenshot("webhooks-03-list-fa-dark")
        page.goto(f"{base}/app/notifications/preferences/")
        assert "تنظیمات اعلان‌ها" in page.content()
        screenshot("notifications-03-preferences-fa-dark")
        page.goto(f"{base}/app/notifications/")
        screenshot("notifications-04-list-fa-dark")
    finally:
        receiver.stop()
