"""Issue 4: a platform operator signs in with a password and a TOTP code, suspends a shop in the
operator panel, and that shop's user — already signed in — sees the suspended page on their
next request. Screenshots: test-artifacts/screens/op-*.png."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, make_shop, make_user
from zargar.billing import actions as billing
from zargar.tenancy.models import Tenant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")


def test_operator_with_totp_suspends_a_shop_and_its_user_is_shut_out(live_server, browser, page, screenshot):
    base = live_server.url
    shop, owner = make_shop("Golden Rose Jewelry")
    tehran, _ = make_shop("Tehran Gold Gallery")
    basic = billing.create_plan(code="basic", name="Basic", monthly_price="29.00", yearly_price="290.00").current_version
    toman = billing.create_plan(code="pro-irr", name="Pro (IRR)", monthly_price="45000000", yearly_price="480000000", currency="IRR").current_version
    billing.subscribe(shop, basic)
    billing.subscribe(tehran, toman, cycle="yearly")
    operator = make_user("operator@zargar.example", is_superuser=True, is_staff=True)
    device = TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)

    # The shop's owner is signed in and working, in their own browser.
    owner_context = browser.new_context()
    owner_page = owner_context.new_page()
    _sign_in(owner_page, base, owner.email)
    owner_page.goto(f"{base}/app/")
    assert "Golden Rose Jewelry" in owner_page.content() and "This shop is suspended" not in owner_page.content()

    # The operator: password, then the authenticator code, then the operator panel.
    _sign_in(page, base, operator.email)
    assert "/accounts/2fa/verify/" in page.url
    screenshot("op-01-totp")
    page.fill("input[name=code]", _code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_load_state("networkidle")
    assert "/accounts/2fa/verify/" not in page.url and "/accounts/login/" not in page.url
    page.goto(f"{base}/operator/")
    assert page.get_by_test_id("chart-signups").is_visible()
    screenshot("op-02-dashboard")

    page.goto(f"{base}/operator/shops/")
    page.get_by_role("link", name="Golden Rose Jewelry").click()
    page.wait_for_url(re.compile(rf".*/operator/shops/{shop.pk}/$"))
    page.fill("#id_reason", "Unpaid invoices since April")
    page.get_by_role("button", name="Suspend").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#shop-status").inner_text().strip() == "Suspended"
    screenshot("op-03-suspended-by-operator")
    assert Tenant.objects.get(pk=shop.pk).status == Tenant.Status.SUSPENDED

    # The shop's user: the very next request shows the suspended page (403), nothing of the panel.
    response = owner_page.goto(f"{base}/app/")
    assert response.status == 403
    assert "This shop is suspended" in owner_page.content()
    assert "Golden Rose Jewelry" in owner_page.content()
    assert owner_page.locator("#sidebar").count() == 0  # no panel menu: the shop is closed
    owner_page.screenshot(path=_artifact("op-04-shop-user-sees-suspended"), full_page=True)
    owner_context.close()

    # A feature flag for 50 % of shops, then its kill switch; the history shows both.
    page.goto(f"{base}/operator/flags/new/")
    page.fill("input[name=name]", "beta_checkout")
    page.fill("textarea[name=note]", "New checkout on the POS screen")
    page.fill("input[name=shop_percent]", "50")
    page.get_by_role("button", name="Create flag").click()
    page.wait_for_url(re.compile(r".*/operator/flags/beta_checkout/$"))
    page.fill("#id_kill_reason", "Receipts print twice")
    page.get_by_role("button", name="Kill", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-state=killed]").first.is_visible()
    assert page.get_by_test_id("flag-history").get_by_text("Receipts print twice").is_visible()
    screenshot("op-06-flag-killed")

    # The dashboard in Persian (right to left) and dark: the figures follow the suspension.
    page.goto(f"{base}/operator/")
    page.get_by_test_id("lang-fa").click()
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("theme-toggle").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "dark" in (page.locator("html").get_attribute("class") or "")
    assert page.get_by_test_id("mrr-IRR").is_visible() and page.get_by_test_id("mrr-USD").is_visible()
    screenshot("op-05-dashboard-fa-dark")
    page.goto(f"{base}/operator/flags/")
    screenshot("op-07-flags-fa-dark")


def _artifact(name: str) -> str:
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return str(ARTIFACTS / f"{name}.png")
