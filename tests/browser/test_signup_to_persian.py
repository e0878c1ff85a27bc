"""Issue 2, "done when": signup → new shop → add an item → see it in the list → Persian, right to
left; the API lists the item with an API key and answers 404 for another shop's item."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from decimal import Decimal

import pytest
from django.core import mail

from modules.inventory.models import Item
from tests.factories import make_shop
from zargar.tenancy.context import tenant_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Gold-and-Silver-2026"


def _api_get(url: str, key: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_signup_new_shop_add_item_persian_and_api(live_server, page, screenshot):
    base = live_server.url
    other_shop, _ = make_shop("Other Gold House")
    with tenant_context(other_shop):
        other_item = Item.objects.create(
            tenant=other_shop, sku="OTHER-1", name="Other ring", karat=18, gross_weight=Decimal("2"), net_weight=Decimal("2"), price=Decimal("90")
        )

    # Sign up: the form asks for the shop's name too.
    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=shop_name]", "Rose Gold Atelier")
    page.fill("input[name=email]", "owner@rosegold.example")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    screenshot("01-signup")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    screenshot("02-verification-sent")

    # Verify the email address through the link that was sent.
    assert mail.outbox, "a verification email must be sent"
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    if "/accounts/login/" in page.url:
        page.fill("input[name=login]", "owner@rosegold.example")
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state("networkidle")
    page.goto(f"{base}/app/")
    assert "Rose Gold Atelier" in page.content()
    screenshot("03-dashboard")

    # Add an item through the inventory module and see it in the list.
    page.goto(f"{base}/app/inventory/")
    page.get_by_test_id("add-item").click()
    page.fill("input[name=sku]", "RG-1001")
    page.fill("input[name=name]", "Rose gold bangle")
    page.fill("input[name=category]", "Bangles")
    page.select_option("select[name=karat]", "18")
    page.fill("input[name=gross_weight]", "12.450")
    page.fill("input[name=net_weight]", "12.100")
    page.fill("input[name=quantity]", "3")
    page.fill("input[name=price]", "1450.00")
    screenshot("04-item-form")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/app/inventory/$"))
    table = page.get_by_test_id("item-table")
    assert "RG-1001" in table.inner_text() and "Rose gold bangle" in table.inner_text()
    assert "OTHER-1" not in page.content()
    screenshot("05-item-list")

    # Switch to Persian: right to left, Persian digits.
    page.get_by_test_id("lang-fa").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "fa"
    assert "RG-۱۰۰۱" in page.get_by_test_id("item-table").inner_text() or "۱۲٫۱۰۰" in page.get_by_test_id("item-table").inner_text()
    screenshot("06-item-list-fa-rtl")

    # Create an API key in the panel; the secret is shown once.
    page.goto(f"{base}/app/api-keys/")
    screenshot("07-api-keys")
    page.goto(f"{base}/app/api-keys/new/")
    page.fill("input[name=name]", "Integration")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    secret = page.locator("#secret-key").inner_text().strip()
    assert re.fullmatch(r"sk_live_[A-Za-z0-9]{32}", secret)
    screenshot("08-api-key-secret")

    status, body = _api_get(f"{base}/api/v1/inventory/items/", secret)
    assert status == 200
    assert [row["sku"] for row in body["results"]] == ["RG-1001"]
    status, body = _api_get(f"{base}/api/v1/inventory/items/{other_item.pk}/", secret)
    assert status == 404
    assert body["error"]["code"] == "not_found"
