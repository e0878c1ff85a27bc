"""Reads of the knowledge base and announcements: help pages by slug and language, search,
and the announcements one user sees in one shop."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from wagtail.models import Locale, Page

from zargar.contract.registry import manifests
from zargar.tenancy.context import tenant_context

from .models import (
    Announcement,
    AnnouncementReceipt,
    ArticlePage,
    FAQPage,
    KnowledgeBaseIndexPage,
    RunbookIndexPage,
)

#: Page types shop users can find through search and help links (runbooks are operators-only).
PUBLIC_PAGE_TYPES = (ArticlePage, FAQPage)


def _language(language: str | None) -> str:
    """A content language code ("en", "fa") for `language` or the active language."""
    code = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    codes = {c for c, _ in settings.WAGTAIL_CONTENT_LANGUAGES}
    return code if code in codes else settings.LANGUAGE_CODE


def _prefer_language(pages, language: str) -> list:
    """One page per `translation_key`: the one in `language` if any, else the default
    language's, else any; the order of first appearance is kept."""
    chosen: dict[uuid.UUID, object] = {}
    rank = {language: 0, settings.LANGUAGE_CODE: 1}
    for page in pages:
        best = chosen.get(page.translation_key)
        if best is None or rank.get(page.locale.language_code, 2) < rank.get(best.locale.language_code, 2):
            chosen[page.translation_key] = page
    return list(chosen.values())


# --- Help pages and search --------------------------------------------------------------------
def help_page_for(slug: str, language: str | None = None) -> Page | None:
    """The live, public knowledge-base page with this `slug`, in `language` (default: the
    active language) if it has been translated, else in English; `None` if there is none.
    Returns the specific page (an `ArticlePage`/`HelpPage` or `FAQPage`)."""
    language = _language(language)
    pages = (
        Page.objects.live()
        .type(*PUBLIC_PAGE_TYPES)
        .filter(slug=slug, locale__language_code__in={language, settings.LANGUAGE_CODE})
        .select_related("locale")
        .order_by("path")
    )
    preferred = _prefer_language(pages, language)
    if not preferred:
        return None
    # A page in the wanted language wins over an English page with the same slug elsewhere.
    preferred.sort(key=lambda p: p.locale.language_code != language)
    return preferred[0].specific


def module_help_slug(request) -> str | None:
    """The first `help_pages` slug of the module whose panel URL `request` is on, else None."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    known = manifests()
    for namespace in match.namespaces:
        manifest = known.get(namespace)
        if manifest is not None and manifest.help_pages:
            return manifest.help_pages[0]
    return None


def search_pages(query: str, language: str | None = None, *, limit: int = 30) -> list[Page]:
    """Live knowledge-base pages without a view restriction matching `query` (Wagtail search, database backend),
    in `language` (default: the active one). English pages not yet translated into
    `language` are included, after the translated ones. Specific pages, best match first."""
    query = (query or "").strip()
    if not query:
        return []
    language = _language(language)
    codes = [language] if language == settings.LANGUAGE_CODE else [language, settings.LANGUAGE_CODE]
    locales = list(Locale.objects.filter(language_code__in=codes))
    results = []
    for locale in sorted(locales, key=lambda loc: codes.index(loc.language_code)):
        # public(): a page behind a view restriction (password, login, groups) is not listed with
        # its title and summary to everyone who searches.
        hits = Page.objects.live().public().type(*PUBLIC_PAGE_TYPES).filter(locale=locale).search(query)[:limit]
        results.extend(hit for hit in hits)
    pages = Page.objects.filter(pk__in=[p.pk for p in results]).select_related("locale").specific()
    by_pk = {p.pk: p for p in pages}
    ordered = [by_pk[p.pk] for p in results if p.pk in by_pk]
    translated_keys = {p.translation_key for p in ordered if p.locale.language_code == language}
    if language != settings.LANGUAGE_CODE:
        # An English hit whose page exists in `language` is shown through that translation.
        have = set(
            Page.objects.live().filter(locale__language_code=language, translation_key__in=[p.translation_key for p in ordered])
            .values_list("translation_key", flat=True)
        )
        ordered = [p for p in ordered if p.locale.language_code == language or p.translation_key not in (have | translated_keys)]
    return ordered[:limit]


def index_entries(index_page: KnowledgeBaseIndexPage, *, include_runbooks: bool = False) -> list[Page]:
    """Live children of a knowledge-base index, plus the default language's children that
    have no translation in this index's language yet (shown in English)."""
    children = list(index_page.get_children().live().select_related("locale").specific())
    if index_page.locale.language_code != settings.LANGUAGE_CODE:
        default = index_page.get_translations().filter(locale__language_code=settings.LANGUAGE_CODE).first()
        if default is not None:
            keys = {c.translation_key for c in children}
            children += [c for c in default.get_children().live().select_related("locale").specific() if c.translation_key not in keys]
    if not include_runbooks:
        children = [c for c in children if not isinstance(c, RunbookIndexPage)]
    return children


# --- Announcements ------------------------------------------------------------------------------
@dataclass(frozen=True)
class VisibleAnnouncement:
    """An announcement as one user sees it in one shop: in their language (`announcement`),
    with targeting from the source version, and their read/acknowledgement state."""

    announcement: Announcement
    key: uuid.UUID
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None

    @property
    def needs_acknowledgement(self) -> bool:
        return self.announcement.acknowledgement_required and self.acknowledged_at is None

    @property
    def in_banner(self) -> bool:
        """Shown in the banner: not yet dismissed, or acknowledgement still owed."""
        return self.needs_acknowledgement or self.read_at is None

    @property
    def severity(self) -> str:
        return self.announcement.severity


_SEVERITY_ORDER = {Announcement.Severity.CRITICAL: 0, Announcement.Severity.WARNING: 1, Announcement.Severity.INFO: 2}


def _shop_facts(tenant) -> tuple[int | None, str | None]:
    """(plan id, subscription status) of the shop, or (None, None) without a subscription."""
    from zargar.billing.models import Subscription

    with tenant_context(tenant):
        row = Subscription.objects.filter(tenant_id=tenant.pk).values_list("version__plan_id", "status").first()
    return (row[0], row[1]) if row else (None, None)


def _current(queryset, now: dt.datetime):
    """Published and not past `expire_at` (even before `publish_scheduled` unpublishes it)."""
    return queryset.filter(live=True).filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now))


def targeted_sources(tenant, *, now: dt.datetime | None = None) -> list[Announcement]:
    """The current source-language (English) announcements whose audience includes `tenant`.
    An announcement that exists in one language only is its own source."""
    now = now or timezone.now()
    candidates = list(
        _current(Announcement.objects.all(), now)
        .select_related("locale")
        .prefetch_related("plans")
        .order_by("-first_published_at", "-pk")
    )
    if not candidates:
        return []  # the usual case: one query per page for the banner
    plan_id, sub_status = _shop_facts(tenant)
    by_key: dict[uuid.UUID, Announcement] = {}
    for ann in candidates:
        best = by_key.get(ann.translation_key)
        if best is None or (ann.locale.language_code == settings.LANGUAGE_CODE and best.locale.language_code != settings.LANGUAGE_CODE):
            by_key[ann.translation_key] = ann
    # A translation is never shown when its source is unpublished or expired.
    dead_sources = set(
        Announcement.objects.filter(translation_key__in=by_key, locale__language_code=settings.LANGUAGE_CODE)
        .exclude(pk__in=[a.pk for a in _current(Announcement.objects.filter(translation_key__in=by_key), now)])
        .values_list("translation_key", flat=True)
    )
    sources = []
    for key, ann in by_key.items():
        if key in dead_sources:
            continue
        plan_ids = {p.pk for p in ann.plans.all()}
        if plan_ids and plan_id not in plan_ids:
            continue
        if ann.shop_status and ann.shop_status != tenant.status:
            continue
        if ann.subscription_status and ann.subscription_status != sub_status:
            continue
        sources.append(ann)
    return sources


def visible_announcements(user, tenant, *, language: str | None = None, now: dt.datetime | None = None) -> list[VisibleAnnouncement]:
    """The announcements `user` sees in `tenant`, in `language` (default: the active one;
    the English version when not translated), most severe first, then newest first, each with
    the user's read and acknowledgement times (from `AnnouncementReceipt`)."""
    language = _language(language)
    now = now or timezone.now()
    sources = targeted_sources(tenant, now=now)
    if not sources:
        return []
    keys = [a.translation_key for a in sources]
    localized = {
        a.translation_key: a
        for a in _current(Announcement.objects.filter(translation_key__in=keys, locale__language_code=language), now)
    }
    with tenant_context(tenant):
        receipts = {
            r.announcement_key: r
            for r in AnnouncementReceipt.objects.filter(tenant_id=tenant.pk, user=user, announcement_key__in=keys)
        }
    rows = []
    for source in sources:
        shown = localized.get(source.translation_key, source)
        if shown is not source:
            # Targeting, severity and the acknowledgement rule come from the source version.
            shown.severity = source.severity
            shown.acknowledgement_required = source.acknowledgement_required
        receipt = receipts.get(source.translation_key)
        rows.append(
            VisibleAnnouncement(
                announcement=shown,
                key=source.translation_key,
                read_at=receipt.read_at if receipt else None,
                acknowledged_at=receipt.acknowledged_at if receipt else None,
            )
        )
    rows.sort(key=lambda r: _SEVERITY_ORDER.get(r.severity, 3))  # stable: newest first within a severity
    return rows


def banner_announcements(user, tenant, *, language: str | None = None, now: dt.datetime | None = None) -> list[VisibleAnnouncement]:
    """The announcements of the panel's banner: unread ones and those awaiting acknowledgement."""
    return [row for row in visible_announcements(user, tenant, language=language, now=now) if row.in_banner]
