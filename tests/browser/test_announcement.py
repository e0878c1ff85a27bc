"""Issue 5 §1, "done when": an operator writes an announcement for one plan in the Wagtail
admin (real UI in Chromium: snippet form, publish), translates it into Persian with
wagtail-localize (its "Translate" action and translation editor), and a Persian-speaking user of
a shop on that plan sees it right to left and acknowledges it; a user of a shop on another plan
does not see it. Screenshots: test-artifacts/screens/announcement-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from knowledge_base.models import Announcement, AnnouncementReceipt
from knowledge_base.seed import ensure_locales
from tests.factories import PASSWORD, make_shop, make_user
from zargar.billing import actions as billing
from zargar.tenancy.context import tenant_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE_EN = "Scheduled maintenance on Sunday"
BODY_EN = "The panel will be unavailable from 02:00 to 02:30 UTC."
TITLE_FA = "تعمیرات برنامه‌ریزی‌شده در روز یکشنبه"
BODY_FA = "پنل از ساعت ۰۲:۰۰ تا ۰۲:۳۰ به وقت جهانی در دسترس نیست."


def _log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_operator_publishes_and_translates_shop_on_plan_acknowledges_in_persian(live_server, browser):
    base = live_server.url
    ensure_locales()
    gold_plan = billing.create_plan(code="gold", name="Gold", monthly_price="30.00", yearly_price="300.00", trial_days=14)
    silver_plan = billing.create_plan(code="silver", name="Silver", monthly_price="10.00", yearly_price="100.00", trial_days=14)
    gold_shop, gold_owner = make_shop("Golden Plan Jewels")
    silver_shop, silver_owner = make_shop("Silver Plan Jewels")
    billing.subscribe(gold_shop, gold_plan.current_version)
    billing.subscribe(silver_shop, silver_plan.current_version)
    for user in (gold_owner, silver_owner):
        user.language = "fa"
        user.save(update_fields=["language"])
    operator = make_user("operator@example.com", is_superuser=True, is_staff=True)
    device = TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)

    # --- The operator signs in with their authenticator code and writes the announcement. ---
    op = browser.new_page(locale="en-US", viewport={"width": 1280, "height": 900})
    failed_requests: list[str] = []  # any 4xx/5xx answer the admin's own requests get (autosave, translation API)
    op.on("response", lambda r: failed_requests.append(f"{r.status} {r.request.method} {r.url}") if r.status >= 400 and "favicon" not in r.url else None)
    _log_in(op, base, operator.email)
    assert "/accounts/2fa/verify/" in op.url
    op.fill("input[name=code]", _code(device))
    op.get_by_role("button", name="Verify").click()
    op.wait_for_load_state("networkidle")
    assert "/accounts/2fa/verify/" not in op.url

    op.goto(f"{base}/cms/snippets/knowledge_base/announcement/add/")
    op.fill("input[name=title]", TITLE_EN)
    editor = op.locator(".Draftail-Editor [contenteditable=true]").first
    editor.click()
    op.keyboard.type(BODY_EN)
    op.select_option("select[name=severity]", "warning")
    op.check("input[name=acknowledgement_required]")
    op.get_by_label("Gold", exact=True).check()
    # Wagtail 8 autosaves the new draft (and turns the form into its edit form) shortly after a
    # change; publishing while that request is in flight would create a second copy.
    for _ in range(120):
        if Announcement.objects.filter(title=TITLE_EN).exists():
            break
        op.wait_for_timeout(500)
    op.wait_for_load_state("networkidle")
    screenshot_page(op, "announcement-01-wagtail-form")
    # Publish: the footer's action menu (Save draft / Publish).
    op.locator("footer [data-w-dropdown-target=toggle]").first.click()
    op.locator("button[name=action-publish]").click()
    op.wait_for_url(re.compile(r".*/cms/snippets/knowledge_base/announcement/(\?.*)?$"))
    assert Announcement.objects.filter(title=TITLE_EN).count() == 1, failed_requests
    ann = Announcement.objects.get(title=TITLE_EN)
    assert ann.live and ann.acknowledgement_required and ann.severity == "warning"
    assert [p.code for p in ann.plans.all()] == ["gold"]
    screenshot_page(op, "announcement-02-published")

    # --- Translate into Persian with wagtail-localize's "Translate" action and editor. ---
    op.goto(f"{base}/cms/localize/submit/snippet/knowledge_base/announcement/{ann.pk}/")
    op.get_by_label(re.compile("Persian|فارسی")).check()
    screenshot_page(op, "announcement-03-translate-submit")
    op.locator("form button[type=submit], form input[type=submit]").last.click()
    op.wait_for_load_state("networkidle")
    # The translation editor lists the segments (title, then the message) with a "Translate" button each.
    for source, target in ((TITLE_EN, TITLE_FA), (BODY_EN, BODY_FA)):
        op.get_by_role("button", name="Translate", exact=True).first.click()
        box = op.locator("textarea:visible").first
        box.fill(target)
        op.get_by_role("button", name="Save", exact=True).first.click()
        op.get_by_text(target, exact=True).first.wait_for()
    assert not failed_requests, failed_requests
    expect(op.get_by_text(re.compile("Translated manually"))).to_have_count(2, timeout=30_000)  # both saved
    screenshot_page(op, "announcement-04-translation-editor")
    op.get_by_role("button", name=re.compile("Publish")).first.click()
    op.wait_for_load_state("networkidle")
    fa = Announcement.objects.get(translation_key=ann.translation_key, locale__language_code="fa")
    assert fa.live and fa.title == TITLE_FA
    assert not failed_requests, failed_requests
    op.close()

    # --- A Persian user of the gold shop sees it right to left and acknowledges it. ---
    gold = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(gold, base, gold_owner.email)
    gold.goto(f"{base}/app/")
    assert gold.locator("html").get_attribute("dir") == "rtl"
    banner = gold.get_by_test_id(f"announcement-{ann.translation_key}")
    assert TITLE_FA in banner.inner_text() and BODY_FA in banner.inner_text()
    assert banner.get_attribute("data-severity") == "warning"
    assert banner.get_by_test_id("dismiss").count() == 0  # acknowledgement required: no dismiss
    screenshot_page(gold, "announcement-05-banner-fa-rtl")
    gold.get_by_test_id("theme-toggle").click()  # and in the dark theme
    gold.wait_for_load_state("networkidle")
    assert "dark" in gold.locator("html").get_attribute("class")
    screenshot_page(gold, "announcement-05b-banner-fa-dark")
    banner = gold.get_by_test_id(f"announcement-{ann.translation_key}")
    banner.get_by_test_id("acknowledge").click()
    gold.get_by_test_id(f"announcement-{ann.translation_key}").wait_for(state="detached")
    gold.goto(f"{base}/app/announcements/")
    entry = gold.get_by_test_id(f"centre-{ann.translation_key}")
    assert TITLE_FA in entry.inner_text() and "تأیید" in entry.get_by_test_id("state").inner_text()
    screenshot_page(gold, "announcement-06-centre-fa")
    with tenant_context(gold_shop):
        receipt = AnnouncementReceipt.objects.get(user=gold_owner)
    assert receipt.acknowledged_at is not None and receipt.announcement_key == ann.translation_key
    gold.close()

    # --- A user of a shop on another plan does not see it. ---
    silver = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(silver, base, silver_owner.email)
    silver.goto(f"{base}/app/")
    assert TITLE_FA not in silver.content() and TITLE_EN not in silver.content()
    silver.goto(f"{base}/app/announcements/")
    assert silver.get_by_test_id("announcement-list").inner_text().strip() == "فعلاً اطلاعیه‌ای نیست."  # "No announcements right now."
    assert TITLE_FA not in silver.content()
    screenshot_page(silver, "announcement-07-other-plan-sees-nothing")
    silver.close()


def screenshot_page(page, name: str) -> None:
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_persian_user_opens_module_help_and_searches_the_knowledge_base(live_server, browser):
    """The panel's "?" on the inventory page opens the Persian help page (seeded by `demo`'s
    knowledge-base seed), right to left; the header search finds Persian pages."""
    from wagtail.models import Page, Site

    from knowledge_base.models import KnowledgeBaseIndexPage
    from knowledge_base.seed import seed_knowledge_base

    base = live_server.url
    ensure_locales()
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    index = root.add_child(instance=KnowledgeBaseIndexPage(title="Knowledge base", slug="knowledge-base", intro="<p>How to use Zargar: guides for shop owners and staff.</p>"))
    index.save_revision().publish()
    Site.objects.update(is_default_site=False)
    Site.objects.create(hostname="localhost", port=80, site_name="Zargar", root_page=index, is_default_site=True)
    seed_knowledge_base(index, None)
    _shop, owner = make_shop("Help Gold House")
    owner.language = "fa"
    owner.save(update_fields=["language"])

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, base, owner.email)
    page.goto(f"{base}/app/inventory/")
    page.get_by_test_id("help-link").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/help/inventory/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text().strip() == "موجودی کالا"
    screenshot_page(page, "help-01-inventory-fa")

    page.fill("#header-help-q", "اعتبار")
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    results = page.get_by_test_id("search-results").inner_text()
    assert "مشتریان" in results and "Customers" not in results
    screenshot_page(page, "help-02-search-fa")
    page.close()
