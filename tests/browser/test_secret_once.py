"""In Chromium, in Persian and dark: the two "shown once" pages (a new API key, a new webhook
signing secret) share one layout (panel/secret_once.html): RTL page, the secret left-to-right,
the warning, and a Copy button that puts the secret on the clipboard. Screenshots:
test-artifacts/screens/secret-once-*.png."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import browser_type_launch_args, screenshot  # noqa: F401  (fixtures)
from tests.factories import PASSWORD, make_shop
from tests.local_peers import HttpReceiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check_shown_once(page, field_id: str, pattern: str) -> None:
    """The page just shown: RTL and dark, the secret (matching `pattern`) left-to-right under
    the "shown only once" warning, and its Copy button puts it on the clipboard."""
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl" and "dark" in (html.get_attribute("class") or "")
    secret = page.locator(f"#{field_id}").inner_text().strip()
    assert re.fullmatch(pattern, secret)
    assert page.locator(f"#{field_id}").get_attribute("dir") == "ltr"
    assert "فقط یک بار" in page.locator("[role=alert]").inner_text()
    page.locator(f"[data-copy-target={field_id}]").click()
    page.wait_for_function(f"document.querySelector('[data-copy-target={field_id}]').textContent.trim() === 'کپی شد'")
    assert page.evaluate("navigator.clipboard.readText()") == secret


def test_secret_once_pages_in_persian_dark(live_server, page, screenshot):  # noqa: F811
    tenant, owner = make_shop("Secret Gold")
    owner.language, owner.theme = "fa", "dark"
    owner.save(update_fields=["language", "theme"])
    base = live_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    receiver = HttpReceiver().start()
    try:
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=login]", owner.email)
        page.fill("input[name=password]", PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state("networkidle")

        page.goto(f"{base}/app/api-keys/new/")
        page.fill("input[name=name]", "وب‌سایت")
        page.check("input[name=mode][value=test]")
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state("networkidle")
        screenshot("secret-once-01-api-key-fa-dark")
        _check_shown_once(page, "secret-key", r"sk_test_[A-Za-z0-9]{32}")

        page.goto(f"{base}/app/webhooks/new/")
        page.fill("input[name=url]", receiver.url + "/zargar")
        page.get_by_text("item.created", exact=True).click()
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state("networkidle")
        screenshot("secret-once-02-webhook-fa-dark")
        _check_shown_once(page, "signing-secret", r"whsec_[A-Za-z0-9_-]{43}")
    finally:
        receiver.stop()
