"""The notification centre: who is notified, the header badge, read state, preferences, and
delivery by email (a real local SMTP server) and SMS (a local stand-in for Twilio's API)."""

from __future__ import annotations

import base64
import re

import pytest

from tests.factories import make_member
from tests.isolation import assert_table_isolated
from zargar.notifications import services
from zargar.notifications.models import ContactSettings, Delivery, Notification, NotificationPreference
from zargar.notifications.registry import EMAIL, IN_APP, SMS, NotificationType, UnknownNotificationType, all_types, get_type
from zargar.notifications.types import MEMBER_INVITED, USAGE_THRESHOLD, WEBHOOK_DISABLED
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db

THRESHOLD = {"shop": "Notify Gold", "metric": "users", "value": 3, "limit": 4, "pct": 75}


def notes(tenant, **filters):
    with tenant_context(tenant):
        return list(Notification.objects.filter(tenant=tenant, **filters).order_by("pk"))


def deliveries(tenant, **filters):
    with tenant_context(tenant):
        return list(Delivery.objects.filter(tenant=tenant, **filters).order_by("pk"))


def test_core_types_are_registered_and_unknown_keys_refused(shop):
    keys = {t.key for t in all_types()}
    assert {USAGE_THRESHOLD, WEBHOOK_DISABLED, MEMBER_INVITED, "pos.sale_voided"} <= keys
    tenant, _ = shop
    with pytest.raises(UnknownNotificationType):
        services.notify(tenant, "no.such.type", {})
    with pytest.raises(ValueError):
        NotificationType(key="x.y", label="x", title="x", body="x", default_channels=frozenset({"pigeon"}))


def test_a_module_registers_a_type_through_the_extension_point(shop):
    from zargar.contract.extension_points import ExtensionPoint
    from zargar.contract.hooks import register_temporarily
    from zargar.notifications import registry

    ntype = NotificationType(key="appraisals.expired", label="Appraisal expired", title="Certificate %(number)s expired", body="")
    registry._hooks_loaded = False
    try:
        with register_temporarily(ExtensionPoint.NOTIFICATION_TYPES, lambda: [ntype], module_key="appraisals"):
            assert get_type("appraisals.expired") is ntype
    finally:
        registry._types.pop("appraisals.expired", None)
    tenant, people = shop
    # and renders with its params
    assert ntype.render({"number": "APR-000001"})[0] == "Certificate APR-000001 expired"


def test_audience_by_role_and_default_channels(shop, mailoutbox, django_capture_on_commit_callbacks):
    tenant, people = shop
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(tenant, USAGE_THRESHOLD, THRESHOLD, url="/app/billing/")
    (note,) = notes(tenant)
    assert note.recipient == people["owner"] and note.in_app and note.url == "/app/billing/"
    assert note.title == "Users at 75% of your plan"
    assert [d.channel for d in deliveries(tenant)] == [EMAIL]  # SMS is off by default
    (mail,) = mailoutbox
    assert mail.to == [people["owner"].email] and mail.subject == "[Notify Gold] Users at 75% of your plan"
    # Invitations reach admins and owners, in the panel only by default.
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(tenant, MEMBER_INVITED, {"email": "new@example.com", "shop": "Notify Gold", "role_code": "member"})
    assert sorted(n.recipient.pk for n in notes(tenant, type_key=MEMBER_INVITED)) == sorted([people["owner"].pk, people["admin"].pk])
    assert len(mailoutbox) == 1


def test_badge_list_and_read_state_in_the_panel(client, shop, other_shop):
    tenant, people = shop
    other, other_owner = other_shop
    for pct in (75, 90):
        services.notify(tenant, USAGE_THRESHOLD, {**THRESHOLD, "pct": pct})
    services.notify(other, USAGE_THRESHOLD, THRESHOLD)
    client.force_login(people["owner"])

    badge = client.get("/app/notifications/badge/")
    assert badge.status_code == 200 and 'data-unread="2"' in badge.content.decode()
    assert 'hx-trigger="every 30s"' in badge.content.decode()
    page = client.get("/app/notifications/").content.decode()
    assert "Users at 90% of your plan" in page and "Users at 75% of your plan" in page
    assert 'data-testid="notification-badge"' in client.get("/app/").content.decode()

    first, second = notes(tenant)
    assert client.post(f"/app/notifications/{first.pk}/read/").status_code == 302
    assert 'data-unread="1"' in client.get("/app/notifications/badge/").content.decode()
    opened = client.post(f"/app/notifications/{second.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == "/app/notifications/"  # no url: the list
    assert 'data-unread="0"' in client.get("/app/notifications/badge/").content.decode()

    services.notify(tenant, USAGE_THRESHOLD, {**THRESHOLD, "pct": 100}, url="/app/billing/")
    (third,) = notes(tenant, read_at__isnull=True)
    assert client.post(f"/app/notifications/{third.pk}/open/")["Location"] == "/app/billing/"
    services.notify(tenant, USAGE_THRESHOLD, {**THRESHOLD, "pct": 100})
    services.notify(tenant, USAGE_THRESHOLD, {**THRESHOLD, "pct": 100})
    assert client.post("/app/notifications/read-all/").status_code == 302
    assert 'data-unread="0"' in client.get("/app/notifications/badge/").content.decode()
    # The other shop's notification is untouched, and not reachable from here.
    (theirs,) = notes(other)
    assert theirs.read_at is None
    assert client.post(f"/app/notifications/{theirs.pk}/read/").status_code == 404


def test_a_member_cannot_read_anothers_notifications(client, shop):
    tenant, people = shop
    services.notify(tenant, USAGE_THRESHOLD, THRESHOLD)
    (note,) = notes(tenant)
    client.force_login(people["admin"])
    assert client.post(f"/app/notifications/{note.pk}/read/").status_code == 404
    assert client.post("/app/notifications/read-all/").status_code == 302
    assert notes(tenant)[0].read_at is None
    assert "75%" not in client.get("/app/notifications/").content.decode()


def test_badge_stops_polling_when_signed_out(client):
    assert client.get("/app/notifications/badge/").status_code == 286


def test_preferences_page_saves_channels_and_sms_number(client, shop, twilio, django_capture_on_commit_callbacks):
    tenant, people = shop
    client.force_login(people["owner"])
    page = client.get("/app/notifications/preferences/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="billing__usage_threshold--email" checked' in html or re.search(r'name="billing__usage_threshold--email"[^>]*checked', html)

    bad = client.post("/app/notifications/preferences/", {"billing__usage_threshold--sms": "on", "sms_number": ""})
    assert bad.status_code == 400 and "Enter a mobile number" in bad.content.decode()
    bad = client.post("/app/notifications/preferences/", {"billing__usage_threshold--sms": "on", "sms_number": "12"})
    assert bad.status_code == 400

    ok = client.post("/app/notifications/preferences/", {
        "billing__usage_threshold--in_app": "on", "billing__usage_threshold--sms": "on", "sms_number": "+1 415 555 2671",
    })
    assert ok.status_code == 302
    with tenant_context(tenant):
        pref = NotificationPreference.objects.get(user=people["owner"], type_key=USAGE_THRESHOLD)
        assert (pref.in_app, pref.email, pref.sms) == (True, False, True)
        assert ContactSettings.objects.get(user=people["owner"]).sms_number == "+14155552671"
        # every type on the form got a row: unticked boxes are channels turned off
        assert NotificationPreference.objects.get(user=people["owner"], type_key=WEBHOOK_DISABLED).channels() == set()

    with django_capture_on_commit_callbacks(execute=True):
        services.notify(tenant, USAGE_THRESHOLD, THRESHOLD)
    assert [d.channel for d in deliveries(tenant)] == [SMS]
    assert len(twilio.requests) == 1


def test_all_channels_off_means_no_notification(shop):
    tenant, people = shop
    services.save_preferences(tenant, people["owner"], {USAGE_THRESHOLD: set()})
    assert services.notify(tenant, USAGE_THRESHOLD, THRESHOLD) == []
    services.save_preferences(tenant, people["owner"], {USAGE_THRESHOLD: {EMAIL}})
    (note,) = services.notify(tenant, USAGE_THRESHOLD, THRESHOLD)
    assert not note.in_app
    from zargar.notifications.selectors import unread_count

    with tenant_context(tenant):
        assert unread_count(tenant, people["owner"]) == 0  # email-only: not in the centre


def test_email_through_a_local_smtp_server_in_each_recipients_language(shop, smtp, django_capture_on_commit_callbacks):
    tenant, people = shop
    people["owner"].language = "fa"
    people["owner"].save(update_fields=["language"])
    english_owner = make_member(tenant, "owner")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(tenant, USAGE_THRESHOLD, THRESHOLD, url="/app/billing/")

    by_rcpt = {env[1][0]: msg for env, msg in zip(smtp.envelopes, smtp.messages)}
    assert set(by_rcpt) == {people["owner"].email, english_owner.email}
    english = by_rcpt[english_owner.email]
    assert english["Subject"] == "[Notify Gold] Users at 75% of your plan"
    text = english.get_body(("plain",)).get_content()
    assert "Notify Gold has used 3 of 4 users this period (75%)" in text and "http://127.0.0.1:8000/app/billing/" in text
    html = english.get_body(("html",)).get_content()
    assert 'dir="ltr"' in html and "Open in Zargar" in html

    persian = by_rcpt[people["owner"].email]
    assert "۷۵" in persian["Subject"] or "75" in persian["Subject"]
    assert re.search(r"[\u0600-\u06FF]", persian["Subject"]), persian["Subject"]
    assert 'dir="rtl"' in persian.get_body(("html",)).get_content()
    assert re.search(r"[\u0600-\u06FF]", persian.get_body(("plain",)).get_content())
    assert {d.status for d in deliveries(tenant)} == {Delivery.Status.SENT}


def test_email_failure_is_retried_then_marked_failed(shop, settings, django_capture_on_commit_callbacks):
    from tests.local_peers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    tenant, _ = shop
    with django_capture_on_commit_callbacks(execute=True):  # eager Celery: the retries run at once
        services.notify(tenant, USAGE_THRESHOLD, THRESHOLD)
    (delivery,) = deliveries(tenant)
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 3
    assert "ConnectionRefusedError" in delivery.last_error


def test_sms_through_twilio_client_to_a_local_server_in_the_recipients_language(shop, twilio, django_capture_on_commit_callbacks):
    tenant, people = shop
    owner = people["owner"]
    owner.language = "fa"
    owner.save(update_fields=["language"])
    services.save_preferences(tenant, owner, {USAGE_THRESHOLD: {SMS}}, sms_number="+989121234567")
    english = make_member(tenant, "owner")
    services.save_preferences(tenant, english, {USAGE_THRESHOLD: {SMS}}, sms_number="+14155552671")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(tenant, USAGE_THRESHOLD, THRESHOLD)

    assert len(twilio.requests) == 2
    by_to = {r.form["To"]: r for r in twilio.requests}
    for request in twilio.requests:
        assert request.method == "POST" and request.path == "/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json"
        assert request.form["From"] == "+15005550006"
        user, password = base64.b64decode(request.headers["Authorization"].split()[1]).decode().split(":")
        assert (user, password) == ("AC00000000000000000000000000000000", "test-token")
    assert by_to["+14155552671"].form["Body"].startswith("Notify Gold: Users at 75% of your plan.")
    persian_body = by_to["+989121234567"].form["Body"]
    assert re.search(r"[\u0600-\u06FF]", persian_body) and "Users at" not in persian_body
    sent = deliveries(tenant)
    assert {d.status for d in sent} == {Delivery.Status.SENT} and {d.provider_id for d in sent} == {"SM" + "1" * 32}


def test_sms_provider_error_is_recorded(shop, twilio, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 1
    twilio.script = [(400, '{"code": 21211, "message": "The To number is not valid.", "status": 400}')]
    tenant, people = shop
    services.save_preferences(tenant, people["owner"], {USAGE_THRESHOLD: {SMS}}, sms_number="+14155552671")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(tenant, USAGE_THRESHOLD, THRESHOLD)
    (delivery,) = deliveries(tenant)
    assert delivery.status == Delivery.Status.FAILED and "21211" in delivery.last_error


def test_billing_threshold_notifies_owners_through_the_centre(shop, mailoutbox, django_capture_on_commit_callbacks):
    from zargar.billing.enforcement import Limit, notify_thresholds

    tenant, people = shop
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_thresholds(tenant, Limit("users", 4, [75, 90]), 3) == [75]
        assert notify_thresholds(tenant, Limit("users", 4, [75, 90]), 3) == []  # once per period
    (note,) = notes(tenant, type_key=USAGE_THRESHOLD)
    assert note.recipient == people["owner"] and note.url == "/app/billing/"
    assert [m.to for m in mailoutbox] == [[people["owner"].email]] and "75%" in mailoutbox[0].subject


def test_invitation_notifies_admins_and_owners(shop):
    from zargar.accounts.actions import invite_member

    tenant, people = shop
    invite_member(tenant, actor=people["owner"], email="newbie@example.com", role="member", base_url="http://testserver")
    invited = notes(tenant, type_key=MEMBER_INVITED)
    assert sorted(n.recipient.pk for n in invited) == sorted([people["owner"].pk, people["admin"].pk])
    assert invited[0].title == "newbie@example.com was invited to the shop"
    assert "as Member" in invited[0].body


def test_notification_tables_are_isolated(shop, other_shop):
    tenant, people = shop
    other, other_owner = other_shop
    for t, owner in ((tenant, people["owner"]), (other, other_owner)):
        services.save_preferences(t, owner, {USAGE_THRESHOLD: {IN_APP, EMAIL}}, sms_number="+14155552671")
        services.notify(t, USAGE_THRESHOLD, THRESHOLD)
    for table in ("notifications_notification", "notifications_delivery", "notifications_notificationpreference", "notifications_contactsettings"):
        assert_table_isolated(table, tenant, other)


def test_preferences_list_only_the_types_a_member_can_receive(client, shop):
    tenant, people = shop
    client.force_login(people["member"])
    html = client.get("/app/notifications/preferences/").content.decode()
    assert "Plan usage threshold crossed" not in html and "Member invited" not in html
    client.force_login(people["admin"])
    html = client.get("/app/notifications/preferences/").content.decode()
    assert "Member invited" in html and "Sale voided" in html and "Plan usage threshold crossed" not in html


def test_email_through_an_anymail_backend_keeps_its_message_id_tags_and_metadata(shop, settings, mailoutbox, django_capture_on_commit_callbacks):
    """Production sends through a django-anymail ESP backend; anymail's own test backend runs
    the same code path (payload building, status) without a provider."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    tenant, people = shop
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(tenant, USAGE_THRESHOLD, THRESHOLD)
    (message,) = mailoutbox
    params = message.anymail_test_params
    assert params["tags"] == [USAGE_THRESHOLD] and params["metadata"]["tenant"] == str(tenant.pk)
    assert message.anymail_status.status == {"sent"}
    (delivery,) = deliveries(tenant)
    assert delivery.status == Delivery.Status.SENT and delivery.provider_id == str(message.anymail_status.message_id)
