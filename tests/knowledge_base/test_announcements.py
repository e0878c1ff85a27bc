"""Announcements: targeting (all shops, plan, shop status, subscription status), scheduled
publishing and expiry (Wagtail's go_live_at/expire_at and `publish_scheduled`), the user's
language, per-user read/acknowledge tracking, the panel banner and centre, and RLS."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.test.client import encode_multipart
from django.utils import timezone

from knowledge_base import actions, selectors
from knowledge_base.models import Announcement, AnnouncementReceipt
from tests.factories import make_member, make_shop
from tests.isolation import assert_table_isolated
from zargar.tenancy.context import tenant_context

from .conftest import make_announcement, make_plan, subscribe, translate

pytestmark = pytest.mark.django_db


def _titles(user, tenant, **kw):
    return [row.announcement.title for row in selectors.visible_announcements(user, tenant, **kw)]


@pytest.fixture
def locales(db):
    from knowledge_base.seed import ensure_locales

    ensure_locales()


@pytest.fixture
def shops(locales):
    """Three shops: on plan "gold", on plan "silver", and without a subscription."""
    gold_plan, silver_plan = make_plan("gold"), make_plan("silver")
    gold, gold_owner = make_shop("Gold Plan Shop")
    silver, silver_owner = make_shop("Silver Plan Shop")
    bare, bare_owner = make_shop("No Plan Shop")
    subscribe(gold, gold_plan)
    subscribe(silver, silver_plan)
    return {
        "gold": (gold, gold_owner), "silver": (silver, silver_owner), "bare": (bare, bare_owner),
        "gold_plan": gold_plan, "silver_plan": silver_plan,
    }


# --- targeting -----------------------------------------------------------------------------------
def test_announcement_without_audience_reaches_every_shop(shops):
    make_announcement("For everyone")
    for key in ("gold", "silver", "bare"):
        assert _titles(shops[key][1], shops[key][0]) == ["For everyone"]


def test_plan_targeting(shops):
    make_announcement("Gold only", plans=[shops["gold_plan"]])
    make_announcement("Gold and silver", plans=[shops["gold_plan"], shops["silver_plan"]])
    assert sorted(_titles(shops["gold"][1], shops["gold"][0])) == ["Gold and silver", "Gold only"]
    assert _titles(shops["silver"][1], shops["silver"][0]) == ["Gold and silver"]
    assert _titles(shops["bare"][1], shops["bare"][0]) == []  # no subscription: no plan matches


def test_shop_and_subscription_status_targeting(shops):
    from zargar.tenancy.models import Tenant

    make_announcement("Suspended shops", shop_status=Tenant.Status.SUSPENDED)
    make_announcement("Trialing shops", subscription_status="trialing")
    gold, gold_owner = shops["gold"]
    assert _titles(gold_owner, gold) == ["Trialing shops"]  # 14-day trial plans
    bare, bare_owner = shops["bare"]
    assert _titles(bare_owner, bare) == []
    Tenant.objects.filter(pk=bare.pk).update(status=Tenant.Status.SUSPENDED)
    bare.refresh_from_db()
    assert _titles(bare_owner, bare) == ["Suspended shops"]


def test_drafts_are_not_shown(shops):
    make_announcement("Draft", publish_now=False)
    assert _titles(shops["gold"][1], shops["gold"][0]) == []


def test_most_severe_first_then_newest(shops):
    gold, owner = shops["gold"]
    make_announcement("Old info")
    make_announcement("Critical", severity="critical")
    make_announcement("New info")
    assert _titles(owner, gold) == ["Critical", "New info", "Old info"]


# --- scheduling and expiry ---------------------------------------------------------------------------
def test_scheduled_announcement_goes_live_at_go_live_at(shops):
    gold, owner = shops["gold"]
    go_live = timezone.now() + dt.timedelta(hours=2)
    ann = make_announcement("Tomorrow's news", go_live_at=go_live)
    ann.refresh_from_db()
    assert not ann.live  # scheduled, as the Wagtail admin schedules it
    assert _titles(owner, gold) == []
    with time_machine.travel(go_live + dt.timedelta(minutes=1), tick=False):
        call_command("publish_scheduled", verbosity=0)
        assert _titles(owner, gold) == ["Tomorrow's news"]


def test_expired_announcement_disappears_even_before_the_job_runs(shops):
    gold, owner = shops["gold"]
    expire = timezone.now() + dt.timedelta(hours=1)
    ann = make_announcement("Short notice", expire_at=expire)
    assert _titles(owner, gold) == ["Short notice"]
    later = expire + dt.timedelta(minutes=1)
    assert _titles(owner, gold, now=later) == []  # past expire_at: hidden at once
    with time_machine.travel(later, tick=False):
        call_command("publish_scheduled", verbosity=0)
    ann.refresh_from_db()
    assert not ann.live and ann.expired  # and Wagtail's job unpublishes it


# --- language --------------------------------------------------------------------------------------
def test_persian_translation_for_persian_users_english_otherwise(shops):
    gold, owner = shops["gold"]
    ann = make_announcement("Maintenance tonight", "<p>Back at 03:00.</p>", plans=[shops["gold_plan"]], severity="warning", acknowledgement_required=True)
    fa = translate(ann, "fa", {"Maintenance tonight": "تعمیرات امشب", "Back at 03:00.": "ساعت ۳ برمی‌گردیم."})
    assert fa.live and fa.locale.language_code == "fa"
    assert [p.pk for p in fa.plans.all()] == [shops["gold_plan"].pk]  # synchronised from the source

    (row,) = selectors.visible_announcements(owner, gold, language="fa")
    assert row.announcement.title == "تعمیرات امشب" and row.key == ann.translation_key
    assert row.severity == "warning" and row.needs_acknowledgement
    (row,) = selectors.visible_announcements(owner, gold, language="en")
    assert row.announcement.title == "Maintenance tonight"
    assert _titles(shops["silver"][1], shops["silver"][0], language="fa") == []  # still targeted

    untranslated = make_announcement("English only")
    assert "English only" in _titles(owner, gold, language="fa")

    # Unpublishing the English source hides the Persian translation too.
    ann.unpublish()
    assert _titles(owner, gold, language="fa") == [untranslated.title]


# --- read and acknowledgement tracking ----------------------------------------------------------------
def test_dismiss_marks_read_and_ack_required_stays_until_acknowledged(shops):
    gold, owner = shops["gold"]
    colleague = make_member(gold, "member")
    info = make_announcement("FYI")
    must = make_announcement("Accept the new terms", acknowledgement_required=True)

    assert {r.announcement.title for r in selectors.banner_announcements(owner, gold)} == {"FYI", "Accept the new terms"}
    actions.mark_read(owner, gold, info.translation_key)
    actions.mark_read(owner, gold, must.translation_key)
    assert [r.announcement.title for r in selectors.banner_announcements(owner, gold)] == ["Accept the new terms"]

    receipt = actions.acknowledge(owner, gold, must.translation_key)
    first_ack = receipt.acknowledged_at
    assert selectors.banner_announcements(owner, gold) == []
    assert actions.acknowledge(owner, gold, must.translation_key).acknowledged_at == first_ack  # idempotent

    # Per user: the colleague still has both in the banner.
    assert len(selectors.banner_announcements(colleague, gold)) == 2
    rows = {r.announcement.title: r for r in selectors.visible_announcements(owner, gold)}
    assert rows["FYI"].read_at and rows["FYI"].acknowledged_at is None
    assert rows["Accept the new terms"].acknowledged_at == first_ack


def test_receipts_are_per_shop(shops):
    gold, owner = shops["gold"]
    silver, _ = shops["silver"]
    from zargar.tenancy.actions import add_member

    add_member(silver, owner, "member")
    ann = make_announcement("Everyone")
    actions.acknowledge(owner, gold, ann.translation_key)
    assert selectors.banner_announcements(owner, gold) == []
    assert [r.announcement.title for r in selectors.banner_announcements(owner, silver)] == ["Everyone"]


def test_cannot_acknowledge_an_announcement_not_meant_for_the_shop(shops):
    silver, owner = shops["silver"]
    ann = make_announcement("Gold only", plans=[shops["gold_plan"]])
    with pytest.raises(actions.AnnouncementNotVisible):
        actions.acknowledge(owner, silver, ann.translation_key)
    with tenant_context(silver):
        assert not AnnouncementReceipt.objects.exists()


def test_receipt_table_is_isolated(shops):
    gold, gold_owner = shops["gold"]
    silver, silver_owner = shops["silver"]
    ann = make_announcement("Everyone")
    actions.mark_read(gold_owner, gold, ann.translation_key)
    actions.mark_read(silver_owner, silver, ann.translation_key)
    assert_table_isolated("knowledge_base_announcementreceipt", gold, silver)


# --- panel: banner and announcement centre --------------------------------------------------------------
def test_banner_dismiss_and_acknowledge_through_the_panel(client, shops):
    gold, owner = shops["gold"]
    info = make_announcement("New feature", "<p>Try the rate alerts.</p>")
    must = make_announcement("Security notice", severity="critical", acknowledgement_required=True)
    client.force_login(owner)

    body = client.get("/app/").content.decode()
    assert f'data-testid="announcement-{info.translation_key}"' in body
    assert f'data-testid="announcement-{must.translation_key}"' in body and 'data-severity="critical"' in body

    # HTMX dismiss answers with the new banner.
    response = client.post(f"/app/announcements/{info.translation_key}/dismiss/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "New feature" not in html and "Security notice" in html
    # Without JavaScript: a redirect back.
    response = client.post(f"/app/announcements/{must.translation_key}/acknowledge/", {"next": "/app/"})
    assert response.status_code == 302 and response["Location"] == "/app/"
    banner = client.get("/app/").content.decode()
    assert f'data-testid="announcement-{must.translation_key}"' not in banner

    fresh = make_announcement("Fresh news")  # unread: in the banner elsewhere, not on the centre
    assert f'data-testid="announcement-{fresh.translation_key}"' in client.get("/app/").content.decode()
    centre = client.get("/app/announcements/")
    text = centre.content.decode()
    assert centre.status_code == 200 and "New feature" in text and "Security notice" in text
    assert f'data-testid="centre-{fresh.translation_key}"' in text
    assert f'data-testid="announcement-{fresh.translation_key}"' not in text  # no banner on the centre itself
    states = {row.announcement.title: row for row in centre.context["rows"]}
    assert states["Security notice"].acknowledged_at and states["New feature"].read_at


def test_receipt_endpoints_refuse_bad_requests(client, shops):
    silver, owner = shops["silver"]
    ann = make_announcement("Gold only", plans=[shops["gold_plan"]])
    client.force_login(owner)
    assert client.post(f"/app/announcements/{ann.translation_key}/acknowledge/").status_code == 404
    assert client.get(f"/app/announcements/{ann.translation_key}/acknowledge/").status_code == 405
    assert client.post("/app/announcements/not-a-uuid/acknowledge/").status_code == 404
    client.logout()
    assert client.get("/app/announcements/").status_code == 302  # to login


def test_open_redirect_is_refused(client, shops):
    gold, owner = shops["gold"]
    ann = make_announcement("Everyone")
    client.force_login(owner)
    response = client.post(f"/app/announcements/{ann.translation_key}/dismiss/", {"next": "https://evil.example/"})
    assert response["Location"] == "/app/announcements/"


def test_translation_editor_saves_a_string_with_a_form_put(client, locales):
    """wagtail-localize's editor PUTs multipart form data; the JSON-only REST API setting must
    not refuse it (415), or operators cannot translate anything."""
    from wagtail.models import Locale
    from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

    from .conftest import verified_operator

    ann = make_announcement("Holiday hours")
    source, _ = TranslationSource.get_or_create_from_instance(ann)
    translation = Translation.objects.create(source=source, target_locale=Locale.objects.get(language_code="fa"))
    translation.save_target(publish=False)  # the draft Persian copy, as the "Translate" action makes it
    segment = StringSegment.objects.get(source=source, string__data="Holiday hours")
    verified_operator(client)
    response = client.put(
        f"/cms/localize/translate/{translation.pk}/strings/{segment.pk}/edit/",
        data=encode_multipart("BoUnDaRy", {"value": "ساعات کاری تعطیلات"}),
        content_type="multipart/form-data; boundary=BoUnDaRy",
    )
    assert response.status_code in (200, 201), response.content[:300]
    assert StringTranslation.objects.get(translation_of=segment.string, locale__language_code="fa").data == "ساعات کاری تعطیلات"
