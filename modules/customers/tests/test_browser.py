"""In a real browser: add a customer, find them with the live search, issue credit, and read the
customer page in Persian (right to left). Screenshots go to test-artifacts/screens/."""

from __future__ import annotations

from decimal import Decimal

import pytest

from modules.customers import actions
from tests.browser.conftest import browser_type_launch_args, screenshot  # noqa: F401  (fixtures)
from tests.factories import PASSWORD, make_shop
from zargar.tenancy.context import tenant_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_flow_in_the_browser(live_server, page, screenshot):  # noqa: F811
    base = live_server.url
    tenant, owner = make_shop("Crescent Jewelers")
    with tenant_context(tenant):
        reza = actions.create_customer(tenant, full_name="Reza Karimi", phone="+989350001122", email="reza@example.com")
        actions.record_activity(tenant, reza, kind="sale", summary="Sale S-1001: 18K chain, 6.2 g", amount=Decimal("1890.00"))

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", owner.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")

    page.goto(f"{base}/app/customers/new/")
    page.fill("input[name=full_name]", "Sara Ahmadi")
    page.fill("input[name=phone]", "+98 912 345 6789")
    page.fill("input[name=email]", "Sara@Example.com")
    page.fill("textarea[name=address]", "12 Bazaar Lane, Isfahan")
    page.check("input[name=marketing_consent]")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=customer-name]").inner_text() == "Sara Ahmadi"

    page.click("[data-testid=issue-credit]")
    page.fill("input[name=amount]", "250")
    page.fill("input[name=reference_text]", "GIFT-7")
    page.locator("[data-testid=credit-form] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "250.00" in page.locator("[data-testid=credit-balance]").inner_text()
    assert page.locator("[data-testid=credit-ledger] [title='Posted to the books']").count() == 1
    screenshot("customers-01-detail")

    page.goto(f"{base}/app/customers/")
    page.fill("#customer-search", "0935")
    page.wait_for_function("!document.querySelector('#customer-table').innerText.includes('Sara Ahmadi')")
    table = page.locator("#customer-table").inner_text()
    assert "Reza Karimi" in table and "Sara Ahmadi" not in table
    assert "q=0935" in page.url  # hx-push-url keeps the search in the address
    screenshot("customers-02-live-search")

    page.goto(f"{base}/app/customers/{reza.pk}/")
    page.evaluate(
        "fetch('/app/language/', {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRFToken': document.cookie.match(/csrftoken=([^;]+)/)[1]}, body: 'language=fa'})"
    )
    page.wait_for_timeout(300)
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "۱٬۸۹۰٫۰۰" in page.locator("[data-testid=customer-activity]").inner_text()
    screenshot("customers-03-detail-fa")
