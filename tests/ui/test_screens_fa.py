"""What a Persian reader sees on the screens reviewed in Chromium (ops/screens.py): Persian digits
and Jalali dates on billing, notifications and the operator's billing pages, text in the page's
direction, one active menu entry, translated statuses instead of codes."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone, translation

from tests.operator.conftest import verified_operator
from zargar.billing import actions as billing
from zargar.notifications import selectors, services as notifications
from zargar.notifications.types import SALE_VOIDED, USAGE_THRESHOLD
from zargar.tenancy.actions import set_module_enabled
from zargar.tenancy.context import tenant_context

from ..factories import make_shop

pytestmark = pytest.mark.django_db


def _persian_owner(name: str):
    tenant, owner = make_shop(name)
    owner.language = "fa"
    owner.save(update_fields=["language"])
    return tenant, owner


def test_persian_notifications_have_persian_digits_and_follow_the_page_direction(client):
    tenant, owner = _persian_owner("Notify Gold")
    notifications.notify(tenant, USAGE_THRESHOLD, {"shop": tenant.name, "metric": "items", "value": 45, "limit": 50, "pct": 90})
    notifications.notify(tenant, SALE_VOIDED, {"number": "S-000002", "total": "1550.00 USD", "reason": "—"})
    client.force_login(owner)
    page = client.get("/app/notifications/").content.decode()
    assert "۴۵" in page and "۵۰" in page and "۹۰" in page  # the threshold's numbers
    assert "۱٬۵۵۰٫۰۰\u00a0USD" in page and "S-000002" in page  # an amount is localised, a document number is not
    assert 'dir="auto"' not in page.split('data-testid="notification-list"', 1)[1]  # Persian sentences stay right to left
    assert "۲ خوانده‌نشده" in page  # "2 unread"
    assert 'data-unread="2"' in page and ">۲</span>" in page  # the bell's count
    with tenant_context(tenant), translation.override("en"):
        english = selectors.notifications_of(tenant, owner)[0]
        assert "1,550.00\u00a0USD" in english.body  # English keeps ASCII digits


def test_persian_billing_page_has_jalali_dates_and_persian_prices(client):
    tenant, owner = _persian_owner("Billing Gold")
    plan = billing.create_plan(code="basic", name="Basic", monthly_price="29.00", yearly_price="290.00", trial_days=14)
    billing.subscribe(tenant, plan.current_version, today=timezone.now().date())
    client.force_login(owner)
    page = client.get("/app/billing/").content.decode()
    assert "۲۹٫۰۰\u00a0USD" in page and "۲۹۰٫۰۰\u00a0USD" in page
    assert re.search(r"۱۴[۰-۹]{2}/[۰-۹]{2}/[۰-۹]{2} – ۱۴[۰-۹]{2}/[۰-۹]{2}/[۰-۹]{2}", page)  # the period, Jalali
    assert "۱۴ روز" in page  # trial days
    assert not re.search(r"\b20[0-9]{2}\b", page.split("<main", 1)[1])  # no Gregorian year in the content


def test_only_the_deepest_matching_menu_entry_is_active(client):
    tenant, owner = make_shop("Menu Gold")
    set_module_enabled(tenant, "pos", True, cascade=True)
    client.force_login(owner)
    page = client.get("/app/pos/sales/").content.decode()
    menu = page.split('aria-label="Main menu"', 1)[1].split("</nav>", 1)[0]
    assert menu.count('aria-current="page"') == 1
    assert re.search(r'href="/app/pos/sales/"[^>]*aria-current="page"', menu)


def test_operator_billing_pages_show_statuses_in_words_and_link_from_the_shop(client):
    tenant, _ = make_shop("Operator Gold")
    plan = billing.create_plan(code="basic", name="Basic", monthly_price="29.00", yearly_price="290.00", trial_days=14)
    billing.subscribe(tenant, plan.current_version)
    operator = verified_operator(client)
    operator.language = "fa"
    operator.save(update_fields=["language"])
    shop_page = client.get(f"/operator/shops/{tenant.pk}/").content.decode()
    assert f'href="/operator/shops/{tenant.slug}/billing/"' in shop_page and 'data-testid="operator-nav"' in shop_page
    plans = client.get("/operator/plans/").content.decode()
    assert 'data-testid="operator-nav"' in plans
    assert 'data-status="trialing">در دورهٔ آزمایشی<' in plans and ">trialing<" not in plans
    billing_page = client.get(f"/operator/shops/{tenant.slug}/billing/").content.decode()
    assert 'data-status="trialing">در دورهٔ آزمایشی<' in billing_page and "(نسخهٔ ۱)" in billing_page
