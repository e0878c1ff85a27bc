"""Audit log: impersonation, sign-in events, API access, explorer and CSV, retention."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from modules.inventory import actions as inventory_actions
from modules.inventory.models import Item
from tests.factories import PASSWORD, make_shop, make_user
from tests.isolation import assert_table_isolated
from tests.operator.conftest import verified_operator
from zargar.api import actions as key_actions
from zargar.audit.actions import delete_expired, record
from zargar.audit.models import AuditEvent, PlatformEvent, ShopAuditCopy
from zargar.tenancy.context import tenant_context

pytestmark = pytest.mark.django_db


def _item(tenant, sku="R-1"):
    with tenant_context(tenant):
        return inventory_actions.create_item(
            tenant, sku=sku, name="Ring", category="rings", karat=18,
            gross_weight=Decimal("5.000"), net_weight=Decimal("4.500"), price=Decimal("250.00"),
        )


# --- Impersonation ------------------------------------------------------------------------------

def test_impersonating_a_user_with_2fa_does_not_ask_for_their_code(client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    tenant, owner = make_shop("Hijack Gold")
    TOTPDevice.objects.create(user=owner, name="authenticator", confirmed=True)
    verified_operator(client)
    assert client.post("/hijack/acquire/", {"user_pk": owner.pk, "next": "/app/"}).status_code == 302
    page = client.get("/app/")
    assert page.status_code == 200 and owner.email in page.content.decode()
    api = client.get("/api/v1/inventory/items/", HTTP_X_TENANT=tenant.slug)
    assert api.status_code == 200



def test_only_verified_operators_may_impersonate_shop_users(client):
    tenant, owner = make_shop("Hijack Gold")
    other = make_user()
    client.force_login(other)  # a shop user
    assert client.post("/hijack/acquire/", {"user_pk": owner.pk}).status_code == 403
    operator = make_user("unverified-op@example.com", is_superuser=True, is_staff=True)
    client.force_login(operator)  # operator without 2FA passed: sent to enrol, never impersonating
    response = client.post("/hijack/acquire/", {"user_pk": owner.pk})
    assert response.status_code in (302, 403) and not client.session.get("hijack_history")
    verified = Client()
    verified_operator(verified, "op2@example.com")
    assert verified.post("/hijack/acquire/", {"user_pk": operator.pk}).status_code == 403  # never another operator
    assert not PlatformEvent.objects.filter(action="audit.impersonation.started").exists()


def test_impersonation_banner_and_both_identities_in_the_audit_log(client):
    tenant, owner = make_shop("Hijack Gold")
    item = _item(tenant)
    operator = verified_operator(client)
    response = client.post("/hijack/acquire/", {"user_pk": owner.pk, "next": "/app/"})
    assert response.status_code == 302
    started = PlatformEvent.objects.get(action="audit.impersonation.started")
    assert started.actor == operator and started.object_id == str(owner.pk)

    page = client.get("/app/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="impersonation-banner"' in body and owner.email in body

    # An edit while impersonating (the API with the panel's session).
    patched = client.patch(f"/api/v1/inventory/items/{item.pk}/", {"name": "Renamed ring"}, content_type="application/json",
                           HTTP_X_TENANT=tenant.slug)
    assert patched.status_code == 200, patched.content
    entry = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Item), object_pk=str(item.pk),
                                    action=LogEntry.Action.UPDATE).latest("timestamp")
    assert entry.actor == owner
    assert entry.additional_data["impersonator_id"] == operator.pk
    assert entry.changes["name"] == ["Ring", "Renamed ring"]
    with tenant_context(tenant):
        api_event = AuditEvent.objects.get(action="api.request", tenant=tenant)
    assert api_event.actor == owner and api_event.impersonator == operator

    released = client.post("/hijack/release/", {"next": "/operator/"})
    assert released.status_code == 302
    ended = PlatformEvent.objects.get(action="audit.impersonation.ended")
    assert ended.actor == operator
    assert "impersonation-banner" not in client.get("/accounts/login/").content.decode()


# --- Sign-in events -----------------------------------------------------------------------------

def test_login_failed_login_logout_and_password_change_are_recorded(client):
    user = make_user("sara@example.com")
    client.post("/accounts/login/", {"login": "sara@example.com", "password": "wrong-password-1"}, REMOTE_ADDR="10.1.2.3")
    failed = PlatformEvent.objects.get(action="auth.login_failed")
    assert failed.actor == user and failed.changes == {"identifier": "sara@example.com"} and failed.ip == "10.1.2.3"

    assert client.post("/accounts/login/", {"login": "sara@example.com", "password": PASSWORD}).status_code == 302
    assert PlatformEvent.objects.filter(action="auth.login", actor=user).count() == 1

    new_password = "another-horse-battery-7"
    response = client.post("/accounts/password/change/", {"oldpassword": PASSWORD, "password1": new_password, "password2": new_password})
    assert response.status_code == 302, response.content
    assert PlatformEvent.objects.filter(action="auth.password_changed", actor=user).count() == 1

    client.post("/accounts/logout/")
    assert PlatformEvent.objects.filter(action="auth.logout", actor=user).count() == 1


# --- API access ---------------------------------------------------------------------------------

def test_api_access_is_recorded_with_credential_status_and_duration():
    tenant, owner = make_shop("Api Gold")
    key, secret = key_actions.create_api_key(tenant, name="Server", mode="live", created_by=owner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/inventory/items/").status_code == 200
    assert api.get("/api/v1/inventory/items/999999/").status_code == 404
    with tenant_context(tenant):
        rows = list(AuditEvent.objects.filter(action="api.request", tenant=tenant).order_by("id"))
    assert [r.changes["status"] for r in rows] == [200, 404]
    assert rows[0].changes["method"] == "GET" and rows[0].changes["path"] == "/api/v1/inventory/items/"
    assert rows[0].changes["credential"] == "secret_key" and key.secret_prefix in rows[0].actor_label
    assert all(r.changes["duration_ms"] >= 0 for r in rows)

    APIClient().get("/api/v1/inventory/items/", HTTP_AUTHORIZATION="Bearer sk_live_nonsense")
    anonymous = PlatformEvent.objects.get(action="api.request")
    assert anonymous.changes["status"] == 401 and anonymous.changes["credential"] == "anonymous"


def _raw(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else cursor.rowcount


def test_shop_users_only_see_their_own_shops_events_whatever_they_set():
    a, owner_a = make_shop("A Gold")
    b, owner_b = make_shop("B Gold")
    record("test.a", tenant=a, actor=owner_a)
    record("test.b", tenant=b, actor=owner_b)
    with tenant_context(a):
        assert set(AuditEvent.objects.values_list("action", flat=True)) == {"test.a"}
        # The old operator switch: tenant code setting it reveals nothing of another shop.
        _raw("SELECT set_config('app.audit_reader', 'operator', true)")
        assert set(AuditEvent.objects.values_list("action", flat=True)) == {"test.a"}
        assert _raw("SELECT count(*) FROM audit_auditevent WHERE tenant_id = %s", [b.pk]) == [(0,)]
    with transaction.atomic():
        _raw("SELECT set_config('app.audit_reader', 'operator', true)")
        assert _raw("SELECT count(*) FROM audit_auditevent") == [(0,)]  # no shop set: nothing
    # The table has the tenant policy and nothing else.
    assert _raw("SELECT polname FROM pg_policy WHERE polrelid = 'audit_auditevent'::regclass") == [
        ("audit_auditevent_tenant_isolation",)
    ]
    assert_table_isolated("audit_auditevent", a, b)


def test_the_operator_copy_follows_every_shop_event_and_the_runtime_role_cannot_write_it():
    a, owner_a = make_shop("A Gold")
    b, owner_b = make_shop("B Gold")
    event_a = record("test.a", tenant=a, actor=owner_a, changes={"k": 1}, ip="10.0.0.9")
    record("test.b", tenant=b, actor=owner_b)
    copy = ShopAuditCopy.objects.get(source_id=event_a.pk)
    assert (copy.shop_id, copy.action, copy.actor_id, copy.changes, copy.ip, copy.created_at) == (
        a.pk, "test.a", owner_a.pk, {"k": 1}, "10.0.0.9", event_a.created_at
    )
    assert set(ShopAuditCopy.objects.filter(action__startswith="test.").values_list("shop_id", flat=True)) == {a.pk, b.pk}

    # Writes by the runtime role: an insert is refused, updates and deletes touch nothing.
    with pytest.raises(DatabaseError, match="row-level security"):
        with transaction.atomic():
            _raw(
                "INSERT INTO audit_shopauditcopy (source_id, shop_id, action, actor_label, object_type, object_id,"
                " object_repr, changes, user_agent, created_at) VALUES (999999, %s, 'forged', '', '', '', '', '{}', '', now())",
                [a.pk],
            )
    assert _raw("UPDATE audit_shopauditcopy SET action = 'forged'") == 0
    assert _raw("DELETE FROM audit_shopauditcopy") == 0

    # Changes of the source row are mirrored: the actor's SET_NULL, then retention's delete.
    with tenant_context(a):
        AuditEvent.objects.filter(pk=event_a.pk).update(actor=None)
    assert ShopAuditCopy.objects.get(source_id=event_a.pk).actor_id is None
    with tenant_context(a):
        AuditEvent.objects.filter(pk=event_a.pk).delete()
    assert not ShopAuditCopy.objects.filter(source_id=event_a.pk).exists()


# --- Explorer, CSV, retention -------------------------------------------------------------------

def test_explorer_filters_and_csv_export(client):
    a, owner_a = make_shop("A Gold")
    b, owner_b = make_shop("B Gold")
    record("tenancy.shop.suspended", tenant=a, actor=owner_a, ip="10.0.0.1")
    record("tenancy.shop.suspended", tenant=b, actor=owner_b, ip="10.0.0.2")
    record("auth.login", actor=owner_a, ip="10.0.0.1")
    verified_operator(client)

    page = client.get("/operator/audit/", {"shop": a.pk}).content.decode()
    assert page.count('class="audit-row"') == 1 and owner_a.email in page
    page = client.get("/operator/audit/", {"ip": "10.0.0.1"}).content.decode()
    assert page.count('class="audit-row"') == 2
    page = client.get("/operator/audit/", {"user": owner_b.email, "action": "tenancy."}).content.decode()
    assert page.count('class="audit-row"') == 1 and owner_b.email in page
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert client.get("/operator/audit/", {"date_from": tomorrow}).content.decode().count('class="audit-row"') == 0

    response = client.get("/operator/audit/export.csv", {"action": "tenancy.shop"})
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["time", "action", "actor"]
    assert sorted(r[2] for r in rows[1:]) == sorted([owner_a.email, owner_b.email])
    assert {r[4] for r in rows[1:]} == {str(a.pk), str(b.pk)}


def test_explorer_is_for_operators_only(client):
    _, owner = make_shop("A Gold")
    client.force_login(owner)
    assert client.get("/operator/audit/").status_code == 403
    assert client.get("/operator/audit/export.csv").status_code == 403


def test_retention_deletes_only_old_entries(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    tenant, owner = make_shop("Old Gold")
    old_shop = record("test.old", tenant=tenant, actor=owner)
    new_shop = record("test.new", tenant=tenant, actor=owner)
    old_platform = record("test.old", actor=owner)
    new_platform = record("test.new", actor=owner)
    long_ago = timezone.now() - timedelta(days=400)
    with tenant_context(tenant):
        AuditEvent.objects.filter(pk=old_shop.pk).update(created_at=long_ago)
    PlatformEvent.objects.filter(pk=old_platform.pk).update(created_at=long_ago)
    LogEntry.objects.all().update(timestamp=long_ago)
    item = _item(tenant, "NEW-1")  # a fresh LogEntry

    from zargar.audit.tasks import enforce_retention

    deleted = enforce_retention.delay().get()
    assert deleted["audit_auditevent"] == 1 and deleted["audit_platformevent"] == 1 and deleted["auditlog_logentry"] >= 1
    with tenant_context(tenant):
        assert list(AuditEvent.objects.filter(action__startswith="test.").values_list("pk", flat=True)) == [new_shop.pk]
    assert list(PlatformEvent.objects.filter(action__startswith="test.").values_list("pk", flat=True)) == [new_platform.pk]
    # The operators' copy went with its source rows.
    assert list(ShopAuditCopy.objects.filter(action__startswith="test.").values_list("source_id", flat=True)) == [new_shop.pk]
    assert LogEntry.objects.filter(object_pk=str(item.pk)).exists()
    assert not LogEntry.objects.filter(timestamp__lt=timezone.now() - timedelta(days=365)).exists()


def test_secret_looking_fields_are_fully_redacted_in_the_audit_log():
    """django-auditlog's default mask keeps half of a value; a key's digest and lookup prefix
    (fields named like secrets) leave nothing of themselves in the log."""
    from zargar.audit.apps import REDACTED

    tenant, owner = make_shop("Redacted Gold")
    key, secret = key_actions.create_api_key(tenant, name="till", mode="live", created_by=owner)
    with tenant_context(tenant):
        entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(type(key)), object_pk=str(key.pk), action=LogEntry.Action.CREATE)
    logged = str(entry.changes)
    assert key.secret_digest[-16:] not in logged and secret[-12:] not in logged
    assert entry.changes["secret_digest"][1] == REDACTED
