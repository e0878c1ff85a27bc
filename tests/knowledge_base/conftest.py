"""Knowledge-base test helpers: the Wagtail tree (root, English index as the default Site's
root, its Persian translation), plans and subscriptions made through the billing actions, and
announcements published the way the Wagtail admin does (a revision, then publish)."""

from __future__ import annotations

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_user


@pytest.fixture
def kb_index(db):
    """The English knowledge-base index (default Site root) and its Persian translation."""
    from wagtail.models import Locale, Page, Site

    from knowledge_base.models import KnowledgeBaseIndexPage
    from knowledge_base.seed import INDEX_FA, ensure_locales

    ensure_locales()
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    index = root.add_child(instance=KnowledgeBaseIndexPage(title="Knowledge base", slug="kb-test", intro="<p>How to use Zargar: guides for shop owners and staff.</p>"))
    index.save_revision().publish()
    Site.objects.update(is_default_site=False)
    Site.objects.create(hostname="testserver", port=80, site_name="Zargar", root_page=index, is_default_site=True)
    index.fa = translate(index, "fa", INDEX_FA)
    return index


def translate(instance, language_code, strings, user=None):
    """`knowledge_base.actions.translate`, running the on-commit callbacks wagtail-localize
    publishes the translation with (a test's transaction never commits)."""
    from django.test import TestCase

    from knowledge_base import actions

    with TestCase.captureOnCommitCallbacks(execute=True):
        translated = actions.translate(instance, language_code, strings, user=user)
    translated.refresh_from_db()
    return translated


def publish(page_or_snippet, user=None):
    revision = page_or_snippet.save_revision(user=user)
    revision.publish(user=user)
    page_or_snippet.refresh_from_db()
    return page_or_snippet


def add_page(parent, page, user=None):
    parent.add_child(instance=page)
    return publish(page, user)


def make_plan(code: str):
    from zargar.billing import actions

    return actions.create_plan(code=code, name=code.title(), monthly_price="10.00", yearly_price="100.00", trial_days=14)


def subscribe(tenant, plan):
    from zargar.billing import actions

    return actions.subscribe(tenant, plan.current_version)


def make_announcement(title="Maintenance tonight", message="<p>The panel is down 02:00-02:30 UTC.</p>", *, plans=(), publish_now=True, **fields):
    from knowledge_base.models import Announcement

    ann = Announcement(title=title, message=message, live=False, **fields)  # a draft, as the admin creates it
    ann.save()
    if plans:
        ann.plans.set(plans)
        ann.save()
    if publish_now:
        publish(ann)
    return ann


def verified_operator(client, email="op@example.com"):
    operator = make_user(email, is_superuser=True, is_staff=True)
    device = TOTPDevice.objects.create(user=operator, name="phone", confirmed=True)
    client.force_login(operator)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return operator
