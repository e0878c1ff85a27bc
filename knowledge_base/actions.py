"""Writes of the knowledge base: read/acknowledge receipts of announcements, and translations
created through wagtail-localize (the seed data and tests use the same path operators do)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from zargar.tenancy.context import tenant_context

from .models import AnnouncementReceipt
from .selectors import visible_announcements


class AnnouncementNotVisible(LookupError):
    """The announcement does not exist, is not current, or is not meant for this shop."""


def _visible(user, tenant, key: uuid.UUID, now: dt.datetime):
    for row in visible_announcements(user, tenant, now=now):
        if row.key == key:
            return row
    raise AnnouncementNotVisible(str(key))


def _record(user, tenant, key: uuid.UUID, *, acknowledge: bool, now: dt.datetime | None) -> AnnouncementReceipt:
    now = now or timezone.now()
    _visible(user, tenant, key, now)
    with tenant_context(tenant), transaction.atomic():
        receipt, _ = AnnouncementReceipt.objects.select_for_update().get_or_create(
            tenant_id=tenant.pk, user=user, announcement_key=key
        )
        fields = []
        if receipt.read_at is None:
            receipt.read_at = now
            fields.append("read_at")
        if acknowledge and receipt.acknowledged_at is None:
            receipt.acknowledged_at = now
            fields.append("acknowledged_at")
        if fields:
            receipt.save(update_fields=fields)
    return receipt


def mark_read(user, tenant, key: uuid.UUID, *, now: dt.datetime | None = None) -> AnnouncementReceipt:
    """Record that `user` read (dismissed) announcement `key` (its `translation_key`) in
    `tenant`. Idempotent: the first read time is kept. Raises `AnnouncementNotVisible` for an
    announcement this user does not see in this shop."""
    return _record(user, tenant, key, acknowledge=False, now=now)


def acknowledge(user, tenant, key: uuid.UUID, *, now: dt.datetime | None = None) -> AnnouncementReceipt:
    """Record that `user` acknowledged announcement `key` in `tenant` (which also marks it
    read). Idempotent. Raises `AnnouncementNotVisible` like `mark_read`."""
    return _record(user, tenant, key, acknowledge=True, now=now)


def translate(instance, language_code: str, strings: dict[str, str], *, user=None, publish: bool = True):
    """Create or update the `language_code` translation of a page or translatable snippet
    through wagtail-localize (`TranslationSource` → `Translation` → `save_target`), the same
    records its translation editor writes, so operators can keep editing it there.

    `strings` maps each source text segment (a title, a summary, one paragraph or list item
    of rich text) to its translation. Raises `ValueError` naming the segments `strings` does
    not cover (the page's slug is exempt: it stays the same in every language). Returns the
    translated instance.
    """
    from wagtail.models import Locale
    from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

    locale = Locale.objects.get(language_code=language_code)
    with transaction.atomic():
        source, created = TranslationSource.get_or_create_from_instance(instance)
        if not created:
            source, _ = TranslationSource.update_or_create_from_instance(instance)
        translation, _ = Translation.objects.get_or_create(source=source, target_locale=locale, defaults={"enabled": True})
        missing = []
        for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
            text = segment.string.data
            if text not in strings:
                if segment.context.path != "slug":
                    missing.append(text)
                continue
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                defaults={"data": strings[text], "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL, "last_translated_by": user},
            )
        if missing:
            raise ValueError(f"No translation for: {missing}")
        translation.save_target(user=user, publish=publish)
    return instance.get_translation(locale)
