"""Help pages by slug and language, the panel's "?" link, Persian fallback to English, search
in the user's locale, runbooks for operators only, and the seeded module help pages."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import resolve
from django.utils import translation

from knowledge_base import selectors
from knowledge_base.models import ArticlePage, FAQPage, HelpPage, RunbookIndexPage, RunbookPage
from tests.factories import make_shop

from .conftest import add_page, translate, verified_operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def inventory_help(kb_index):
    page = add_page(kb_index, HelpPage(title="Inventory", slug="inventory", summary="Add and value items.", body="<p>Net weight excludes stones.</p>", module_key="inventory"))
    page.fa = translate(page, "fa", {"Inventory": "موجودی کالا", "Add and value items.": "افزودن و ارزش‌گذاری کالا.", "Net weight excludes stones.": "وزن خالص بدون سنگ است."})
    return page


def _shop_user(language: str):
    tenant, owner = make_shop("Help Gold")
    owner.language = language
    owner.save(update_fields=["language"])
    return tenant, owner


# --- resolution by slug and language ---------------------------------------------------------
def test_help_page_for_picks_the_users_language_then_english(kb_index, inventory_help):
    assert selectors.help_page_for("inventory", "fa").pk == inventory_help.fa.pk
    assert selectors.help_page_for("inventory", "fa").title == "موجودی کالا"
    assert selectors.help_page_for("inventory", "en").pk == inventory_help.pk
    with translation.override("fa"):
        assert selectors.help_page_for("inventory").locale.language_code == "fa"

    rates = add_page(kb_index, HelpPage(title="Gold rates", slug="rates", body="<p>Rates per gram.</p>"))
    assert selectors.help_page_for("rates", "fa").pk == rates.pk  # not translated: English
    assert selectors.help_page_for("no-such-page", "fa") is None


def test_unpublished_pages_and_runbooks_are_not_help(kb_index):
    draft = HelpPage(title="Draft", slug="draft-help", body="<p>x</p>")
    kb_index.add_child(instance=draft)
    draft.save_revision()
    draft.unpublish()
    runbooks = add_page(kb_index, RunbookIndexPage(title="Runbooks", slug="runbooks"))
    add_page(runbooks, RunbookPage(title="Restore", slug="restore-db", kind="disaster_recovery"))
    assert selectors.help_page_for("draft-help", "en") is None
    assert selectors.help_page_for("restore-db", "en") is None


def test_help_link_redirects_to_the_page_in_the_users_language(client, kb_index, inventory_help):
    _tenant, owner = _shop_user("fa")
    client.force_login(owner)
    response = client.get("/help/for/inventory/")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "موجودی کالا" in body and 'dir="rtl"' in body and "وزن خالص بدون سنگ است." in body

    owner.language = "en"
    owner.save(update_fields=["language"])
    page = client.get(client.get("/help/for/inventory/")["Location"])
    assert "Net weight excludes stones." in page.content.decode() and "موجودی" not in page.content.decode()


def test_untranslated_page_is_served_in_english_to_a_persian_user(client, kb_index):
    add_page(kb_index, ArticlePage(title="Labels", slug="labels", body="<p>Print tag labels.</p>"))
    _tenant, owner = _shop_user("fa")
    client.force_login(owner)
    response = client.get("/help/labels/")
    assert response.status_code == 200
    assert "Print tag labels." in response.content.decode()
    assert client.get("/help/no-such-page/").status_code == 404


def test_unknown_help_slug_goes_to_search(client, kb_index):
    response = client.get("/help/for/gold-loans/")
    assert response.status_code == 302 and response["Location"] == "/help/search/?q=gold+loans"


def test_module_help_slug_of_the_current_panel_page(rf: RequestFactory):
    request = rf.get("/app/inventory/")
    request.resolver_match = resolve("/app/inventory/")
    assert selectors.module_help_slug(request) == "inventory"
    request = rf.get("/app/members/")
    request.resolver_match = resolve("/app/members/")
    assert selectors.module_help_slug(request) is None


def test_panel_question_mark_links_to_the_module_help(client, kb_index):
    _tenant, owner = _shop_user("en")
    client.force_login(owner)
    body = client.get("/app/inventory/").content.decode()
    assert 'href="/help/for/inventory/"' in body and 'data-testid="help-link"' in body
    assert 'action="/help/search/"' in body
    dashboard = client.get("/app/").content.decode()
    assert 'data-testid="help-link"' in dashboard


# --- search -------------------------------------------------------------------------------------
def test_search_in_the_users_locale(kb_index, inventory_help):
    faq = add_page(kb_index, FAQPage(title="Questions", slug="faq", items=[{"type": "item", "value": {"question": "Can I export stock to a spreadsheet?", "answer": "<p>Yes, as CSV.</p>"}}]))
    add_page(kb_index, ArticlePage(title="Labels", slug="labels", body="<p>Print barcode labels for each ring.</p>"))

    assert [p.pk for p in selectors.search_pages("stones", "en")] == [inventory_help.pk]
    assert [p.pk for p in selectors.search_pages("spreadsheet", "en")] == [faq.pk]
    # Persian: Persian words find the Persian translation, never the English source.
    assert [p.pk for p in selectors.search_pages("سنگ", "fa")] == [inventory_help.fa.pk]
    # An English page with no Persian translation is still found by a Persian user.
    assert [p.title for p in selectors.search_pages("barcode", "fa")] == ["Labels"]
    # English words of a translated page lead to its Persian version only.
    assert selectors.search_pages("stones", "fa") == []
    assert selectors.search_pages("   ", "en") == []


def test_runbooks_are_not_searchable_by_shop_users(kb_index):
    runbooks = add_page(kb_index, RunbookIndexPage(title="Runbooks", slug="runbooks"))
    add_page(runbooks, RunbookPage(title="Database restore", slug="restore-db", kind="disaster_recovery", summary="Restore the database from backup."))
    assert selectors.search_pages("restore", "en") == []


def test_search_page_renders_results(client, kb_index, inventory_help):
    _tenant, owner = _shop_user("fa")
    client.force_login(owner)
    body = client.get("/help/search/", {"q": "وزن"}).content.decode()
    assert "موجودی کالا" in body and 'href="/help/inventory/"' in body
    empty = client.get("/help/search/", {"q": "zzzz-nothing"}).content.decode()
    assert 'data-testid="search-results"' in empty


# --- runbooks: operators only, with the revision history ---------------------------------------
def test_runbooks_are_for_operators_only_and_show_revisions(client, kb_index):
    runbooks = add_page(kb_index, RunbookIndexPage(title="Runbooks", slug="runbooks"))
    runbook = add_page(runbooks, RunbookPage(
        title="Database restore", slug="restore-db", kind="disaster_recovery",
        steps=[{"type": "step", "value": {"title": "Stop the workers", "instructions": "<p>Stop Celery.</p>", "command": "systemctl stop zargar-worker"}}],
    ))
    runbook.summary = "When the primary database is lost."
    runbook.save_revision().publish()

    _tenant, owner = _shop_user("en")
    client.force_login(owner)
    assert client.get("/help/runbooks/restore-db/").status_code == 403
    assert client.get("/help/runbooks/").status_code == 403
    assert "Runbooks" not in client.get("/help/").content.decode()

    client.logout()
    verified_operator(client)
    response = client.get("/help/runbooks/restore-db/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Stop the workers" in body and "systemctl stop zargar-worker" in body
    assert body.count('data-testid="runbook-revisions"') == 1
    assert len(response.context["revisions"]) == 2
    assert "Runbooks" in client.get("/help/").content.decode()


def test_help_is_readable_by_shop_users_and_cms_stays_operators_only(client, kb_index, inventory_help):
    _tenant, owner = _shop_user("en")
    client.force_login(owner)
    assert client.get("/help/").status_code == 200
    assert client.get("/help/inventory/").status_code == 200
    assert client.get("/cms/").status_code == 403


# --- seed ------------------------------------------------------------------------------------------
def test_seed_creates_bilingual_help_for_every_built_in_module(kb_index):
    from knowledge_base.seed import HELP_PAGES, seed_knowledge_base
    from zargar.contract.registry import manifests

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        created = seed_knowledge_base(kb_index, None)
    assert created == 2 * len(HELP_PAGES) + 2  # pages + translations, FAQ + translation (index already translated)
    slugs = {"inventory", "rates", "pos", "customers", "accounting"}
    assert slugs <= {spec["slug"] for spec in HELP_PAGES}
    for slug in slugs | {slug for m in manifests().values() for slug in m.help_pages if m.key in slugs}:
        en, fa = selectors.help_page_for(slug, "en"), selectors.help_page_for(slug, "fa")
        assert en.locale.language_code == "en" and fa.locale.language_code == "fa", slug
        assert en.translation_key == fa.translation_key and en.title != fa.title
        assert "<p>" in fa.body and fa.live
    faq_fa = selectors.help_page_for("faq", "fa")
    assert faq_fa.items[0].value["question"] == "چطور پنل را فارسی کنم؟"
    assert seed_knowledge_base(kb_index, None) == 0  # idempotent


def test_seed_in_one_transaction_routes_persian_help_urls_to_the_persian_pages(db, client):
    """`manage.py demo` seeds an untranslated index and its pages in one transaction: the
    translations are published when it commits, and the Persian index must still know its
    children, else /help/<slug>/ in Persian shows the English page."""
    from django.conf import settings
    from django.test import TestCase
    from wagtail.models import Locale, Page, Site

    from knowledge_base.models import KnowledgeBaseIndexPage
    from knowledge_base.seed import ensure_locales, seed_knowledge_base

    ensure_locales()
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    with TestCase.captureOnCommitCallbacks(execute=True):
        index = root.add_child(instance=KnowledgeBaseIndexPage(title="Knowledge base", slug="kb-fresh"))
        index.save_revision().publish()
        Site.objects.update(is_default_site=False)
        Site.objects.create(hostname="testserver", port=80, site_name="Zargar", root_page=index, is_default_site=True)
        seed_knowledge_base(index, None)
    fa_index = index.get_translation(Locale.objects.get(language_code="fa"))
    assert Page.objects.get(pk=fa_index.pk).numchild == index.get_children().count()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    page = client.get("/help/inventory/")
    assert page.status_code == 200
    assert "موجودی" in page.content.decode()  # the Persian help page, not the English one
